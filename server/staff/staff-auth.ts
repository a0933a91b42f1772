// Staff sign-in and sessions: scrypt passwords, rate-limited failures, signed session tokens (header or cookie).
import type {} from '@fastify/cookie';
import type { FastifyRequest } from 'fastify';
import { JiedianError } from '../errors.ts';
import { createGuessLimits, type UnderAttack } from '../limits/guess-limits.ts';
import type { AttemptLog } from '../limits/attempt-log.ts';
import { formatInstant } from '../domain/dates.ts';
import type { Clock } from '../shared/clock.ts';
import { createSignedTokens } from '../shared/signed-tokens.ts';
import type { Stores, Transact } from '../stores.ts';
import { hashPassword, MIN_PASSWORD_LENGTH, UNMATCHABLE_HASH, verifyPassword } from './passwords.ts';
import type { StaffPrincipal } from './staff-accounts.ts';

export type { StaffPrincipal } from './staff-accounts.ts';

export const STAFF_COOKIE = 'jiedian_staff';
export const STAFF_SESSION_TTL_MS = 12 * 60 * 60 * 1000;
/**
 * Set on a successful sign-in and sent back only to the sign-in route: the browser a staff member has signed in with
 * before is exempt from their id's guess ceiling, so strangers guessing at the id cannot lock them out.
 */
export const STAFF_DEVICE_COOKIE = 'jiedian_staff_device';
export const STAFF_DEVICE_TTL_MS = 365 * 24 * 60 * 60 * 1000;

export function createStaffAuth(deps: {
  secret: string;
  stores: Pick<Stores, 'staff'>;
  transact: Transact;
  clock: Clock;
  timeZone: string;
  attempts: AttemptLog;
  onUnderAttack?: (notice: UnderAttack) => void;
}) {
  const { staff } = deps.stores;
  const tokens = createSignedTokens<{ h: string }>(deps.secret, 'staff');
  const devices = createSignedTokens<{ h: string }>(deps.secret, 'staff-device');
  const guesses = createGuessLimits({ kind: 'staff_password', attempts: deps.attempts, onUnderAttack: deps.onUnderAttack ?? (() => {}) });

  /** The signed-in staff member of a session token; null when missing, forged, expired or the handler is gone. */
  async function verify(token: string): Promise<StaffPrincipal | null> {
    const claims = tokens.verify(token, deps.clock.now());
    return claims ? staff.member(claims.h) : null;
  }

  return {
    /** The staff member with this id as a session would name them; null when not synced. */
    principal: (handlerId: string): Promise<StaffPrincipal | null> => staff.member(handlerId),

    async setPassword(handlerId: string, password: string): Promise<void> {
      if (password.length < MIN_PASSWORD_LENGTH) throw new Error(`a password needs at least ${MIN_PASSWORD_LENGTH} characters`);
      const noHandler = () => new Error(`no handler ${handlerId}; sync it first (PUT /api/v1/sync/handlers/${handlerId})`);
      if (!(await staff.member(handlerId))) throw noHandler();
      // hashed before the transaction: its body awaits nothing but the store
      const hash = await hashPassword(password);
      const set = await deps.transact((stores) => stores.staff.setPasswordHash(handlerId, hash));
      if (!set) throw noHandler();
    },

    /** `deviceToken`: the device cookie this browser got at an earlier sign-in, if any. */
    async login(handlerId: string, password: string, clientAddress: string, deviceToken?: string) {
      const now = deps.clock.now();
      const trusted = deviceToken !== undefined && devices.verify(deviceToken, now)?.h === handlerId;
      const guess = { subject: handlerId, clientAddress, trusted };
      const wait = await guesses.retryAfterSeconds(guess, now);
      if (wait > 0) {
        throw new JiedianError('JD_RATE_LIMITED', `too many failed sign-ins; try again in ${wait} seconds`, {
          headers: { 'retry-after': String(wait) },
          body: { retryAfterSeconds: wait },
        });
      }
      const stored = await staff.passwordHash(handlerId);
      const ok = await verifyPassword(stored ?? UNMATCHABLE_HASH, password);
      const who = ok ? await staff.member(handlerId) : null;
      if (!who) {
        await guesses.wrong(guess, now);
        throw new JiedianError('JD_BAD_CREDENTIALS', 'handler id and password do not match');
      }
      await guesses.right(guess);
      const expiresAt = now + STAFF_SESSION_TTL_MS;
      return {
        token: tokens.issue({ h: handlerId }, expiresAt),
        expiresAt,
        expiresAtText: formatInstant(expiresAt, deps.timeZone),
        handler: who,
        deviceToken: devices.issue({ h: handlerId }, now + STAFF_DEVICE_TTL_MS),
      };
    },

    verify,

    /** As verify, with the instant the session ends. */
    async openSession(token: string): Promise<{ who: StaffPrincipal; expiresAt: number } | null> {
      const opened = tokens.open(token, deps.clock.now());
      const who = opened ? await staff.member(opened.claims.h) : null;
      return who ? { who, expiresAt: opened!.expiresAt } : null;
    },

    /** From `Authorization: Bearer …` or the session cookie; 401 otherwise. */
    async authenticate(request: FastifyRequest): Promise<StaffPrincipal> {
      const header = request.headers.authorization;
      const token = header?.startsWith('Bearer ') ? header.slice(7) : (request.cookies?.[STAFF_COOKIE] ?? '');
      const who = token ? await verify(token) : null;
      if (!who) throw new JiedianError('JD_UNAUTHORIZED', 'sign in first: missing, invalid or expired staff token');
      return who;
    },
  };
}

export type StaffAuth = ReturnType<typeof createStaffAuth>;
