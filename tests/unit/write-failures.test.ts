// Which errors mean "the database refused or lost the write" (503, /healthz, the process keeps running) and which are
// bugs or bad data: SQLite's result codes, PostgreSQL's SQLSTATEs and a lost connection to the PostgreSQL server.
import { describe, expect, it } from 'vitest';
import { describeWriteFailure, writeFailureOf } from '../../db/unit-of-work.ts';

const withCode = (code: string, message = 'refused') => Object.assign(new Error(message), { code });

describe('writeFailureOf', () => {
  it('knows SQLite refusing a write', () => {
    expect(writeFailureOf(withCode('SQLITE_BUSY'))).toEqual({ kind: 'busy', code: 'SQLITE_BUSY' });
    expect(writeFailureOf(withCode('SQLITE_FULL'))?.kind).toBe('full');
    expect(writeFailureOf(withCode('SQLITE_READONLY_DBMOVED'))?.kind).toBe('read-only');
    expect(writeFailureOf(withCode('SQLITE_CONSTRAINT_UNIQUE'))).toBeNull();
  });

  it('knows a PostgreSQL server that refuses, is read-only, is full or is gone', () => {
    expect(writeFailureOf(withCode('25006'))).toEqual({ kind: 'read-only', code: '25006' });
    expect(writeFailureOf(withCode('53100'))?.kind).toBe('full');
    expect(writeFailureOf(withCode('53300'))?.kind).toBe('busy');
    expect(writeFailureOf(withCode('57P01'))?.kind).toBe('unreachable');
    expect(writeFailureOf(withCode('08006'))?.kind).toBe('unreachable');
    expect(writeFailureOf(withCode('ECONNREFUSED'))?.kind).toBe('unreachable');
    expect(writeFailureOf(new Error('Connection terminated unexpectedly'))).toEqual({ kind: 'unreachable', code: 'connection lost' });
    // wrapped by the query builder
    expect(writeFailureOf(Object.assign(new Error('Failed query'), { cause: withCode('57P01') }))?.kind).toBe('unreachable');
    expect(describeWriteFailure({ kind: 'unreachable', code: 'ECONNREFUSED' })).toBe('the database server cannot be reached (ECONNREFUSED)');
  });

  it('leaves bugs and bad data alone', () => {
    for (const code of ['23505', '40001', '42P01', '22P02']) expect(writeFailureOf(withCode(code))).toBeNull();
    expect(writeFailureOf(new Error('something else'))).toBeNull();
    expect(writeFailureOf('text')).toBeNull();
  });
});
