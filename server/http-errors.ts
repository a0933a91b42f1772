// Maps every failure to the contract's error shape: { statusCode, code, error, message }.
import type { FastifyError, FastifyInstance, FastifyReply } from 'fastify';
import { STATUS_CODES } from 'node:http';
import { JiedianError, type ErrorCode } from './errors.ts';
import { DatabaseUnavailableError, describeWriteFailure, writeConflictOf, writeFailureOf } from '../db/unit-of-work.ts';

interface ValidationIssue {
  instancePath: string;
  message?: string;
  keyword: string;
  params: Record<string, unknown>;
}

/** `/events/3/at` + `body` → `body.events[3].at` */
export function fieldPath(context: string, instancePath: string, missing?: unknown): string {
  const parts = instancePath.split('/').filter(Boolean).map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
  if (typeof missing === 'string') parts.push(missing);
  let out = context;
  for (const part of parts) out += /^\d+$/.test(part) ? `[${part}]` : `.${part}`;
  return out;
}

export function describeValidationIssue(context: string, issue: ValidationIssue): string {
  const missing = issue.params.missingProperty ?? (issue.params.requiredProperties as string[] | undefined)?.[0];
  const at = fieldPath(context, issue.instancePath, missing);
  switch (issue.keyword) {
    case 'required':
      return `${at} is required`;
    case 'format':
      return `${at} must be ${issue.params.format === 'date-time' ? 'an ISO date-time with offset' : issue.params.format === 'date' ? 'a date YYYY-MM-DD' : `a valid ${String(issue.params.format)}`}`;
    case 'maxLength':
      return `${at} must be at most ${String(issue.params.limit)} characters`;
    case 'minLength':
      return `${at} must be at least ${String(issue.params.limit)} characters`;
    case 'maxItems':
      return `${at} must have at most ${String(issue.params.limit)} items`;
    case 'minItems':
      return `${at} must have at least ${String(issue.params.limit)} item(s)`;
    case 'enum':
      return `${at} must be one of ${(issue.params.allowedValues as unknown[]).join(', ')}`;
    default:
      return `${at} ${issue.message ?? 'is invalid'}`;
  }
}

export function sendError(reply: FastifyReply, code: ErrorCode, statusCode: number, message: string, body: Record<string, unknown> = {}) {
  return reply.code(statusCode).send({ statusCode, code, error: STATUS_CODES[statusCode] ?? 'Error', message, ...body });
}

function refusedWrite(error: unknown): DatabaseUnavailableError | null {
  if (error instanceof DatabaseUnavailableError) return error;
  const failure = writeFailureOf(error);
  if (failure) return new DatabaseUnavailableError(failure, 5);
  const conflict = writeConflictOf(error);
  // a collision is over as soon as the other writer commits: the next try will likely go through
  return conflict ? new DatabaseUnavailableError({ kind: 'conflict', code: conflict }, 1) : null;
}

export function registerErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError & { validation?: ValidationIssue[]; validationContext?: string }, request, reply) => {
    if (error instanceof JiedianError) {
      if (error.statusCode >= 500) request.log.error({ err: error }, 'request failed');
      for (const [name, value] of Object.entries(error.extra.headers ?? {})) reply.header(name, value);
      return sendError(reply, error.code, error.statusCode, error.message, error.extra.body);
    }
    // A write the database refused (another process's lock past the wait, a full disk, a read-only file), or one that
    // kept colliding with other writers until the unit of work's tries ran out: nothing was written, and the client
    // may try again; never a 500.
    const refused = refusedWrite(error);
    if (refused) {
      request.log.warn({ err: error, reason: describeWriteFailure(refused.failure) }, 'database write refused');
      reply.header('retry-after', String(refused.retryAfterSeconds));
      return sendError(reply, 'JD_UNAVAILABLE', 503, refused.message, { retryAfterSeconds: refused.retryAfterSeconds });
    }
    if (error.validation && error.validation.length > 0) {
      const message = describeValidationIssue(error.validationContext ?? 'body', error.validation[0]!);
      return sendError(reply, 'JD_INVALID_REQUEST', 400, message);
    }
    if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
      return sendError(reply, 'JD_PAYLOAD_TOO_LARGE', 413, 'request body is larger than the limit');
    }
    if (error.statusCode === 429) {
      return sendError(reply, 'JD_RATE_LIMITED', 429, error.message || 'too many requests');
    }
    if (error.statusCode && error.statusCode >= 400 && error.statusCode < 500) {
      // Fastify's own client errors: malformed JSON, wrong content type, empty body…
      return sendError(reply, 'JD_INVALID_REQUEST', error.statusCode === 415 ? 415 : 400, error.message);
    }
    request.log.error({ err: error }, 'request failed');
    return sendError(reply, 'JD_INTERNAL', 500, 'internal error');
  });

  app.setNotFoundHandler((request, reply) =>
    sendError(reply, 'JD_NOT_FOUND', 404, `no route ${request.method} ${request.url.split('?')[0]}`),
  );
}
