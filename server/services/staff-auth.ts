// Staff sign-in and sessions: scrypt passwords, rate-limited failures, signed session tokens (header or cookie).
import type {} from '@fastify/cookie';
import type { FastifyRequest } from 'fastify';
import { JiedianError } from '../errors.ts';
import { createGuessLimits, type UnderAttack } from './guess-limits.ts';
import { formatInstant } from '../domain/dates.ts';
import type { StaffScope, StaffStore } from '../../db/staff-store.ts';
import type { ApplicationStore } from '../../db/application-store.ts';
import type { Clock } from './clock.ts';
import { hashPassword, MIN_PASSWORD_LENGTH, UNMATCHABLE_HASH, verifyPassword } from './passwords.ts';
import { createSignedTokens } from './signed-tokens.ts';

export const STAFF_COOKIE = 'jiedian_staff';
export const STAFF_SESSION_TTL_MS = 12 * 60 * 60 * 1000;
/**
 * Set on a successful sign-in and sent back only to the sign-in route: the browser a staff member has signed in with
 * before is exempt from their id's guess ceiling, so strangers guessing at the id cannot lock them out.
 */
export const STAFF_DEVICE_COOKIE = 'jiedian_staff_device';
export const STAFF_DEVICE_TTL_MS = 365 * 24 * 60 * 60 * 1000;

export interface StaffPrincipal extends StaffScope {
  name: string;
  teamName: string;
  phone: string;
}

export function createStaffAuth(deps: {
  secret: string;
  staff: StaffStore;
  store: ApplicationStore;
  clock: Clock;
  timeZone: string;
  onUnderAttack?: (notice: UnderAttack) => void;
}) {
  const tokens = createSignedTokens<{ h: string }>(deps.secret, 'staff');
  const devices = createSignedTokens<{ h: string }>(deps.secret, 'staff-device');
  const guesses = createGuessLimits({ kind: 'staff_password', onUnderAttack: deps.onUnderAttack ?? (() => {}) });

  function principal(handlerId: string): StaffPrincipal | null {
    const handler = deps.store.handler(handlerId);
    if (!handler) return null;
    return {
      handlerId: handler.id,
      role: handler.role,
      teamId: handler.teamId,
      name: handler.name,
      teamName: handler.teamName,
      phone: handler.phone,
    };
  }

  return {
    /** The staff member with this id as a session would name them; null when not synced. */
    principal,

    async setPassword(handlerId: string, password: string): Promise<void> {
      if (password.length < MIN_PASSWORD_LENGTH) throw new Error(`a password needs at least ${MIN_PASSWORD_LENGTH} characters`);
      if (!deps.store.handler(handlerId)) throw new Error(`no handler ${handlerId}; sync it first (PUT /api/v1/sync/handlers/${handlerId})`);
      deps.staff.setPasswordHash(handlerId, await hashPassword(password));
    },

    /** `deviceToken`: the device cookie this browser got at an earlier sign-in, if any. */
    async login(handlerId: string, password: string, clientAddress: string, deviceToken?: string) {
      const now = deps.clock.now();
      const trusted = deviceToken !== undefined && devices.verify(deviceToken, now)?.h === handlerId;
      const guess = { subject: handlerId, clientAddress, trusted };
      const wait = guesses.retryAfterSeconds(guess, now);
      if (wait > 0) {
        throw new JiedianError('JD_RATE_LIMITED', `too many failed sign-ins; try again in ${wait} seconds`, {
          headers: { 'retry-after': String(wait) },
          body: { retryAfterSeconds: wait },
        });
      }
      const stored = deps.staff.passwordHash(handlerId);
      const ok = await verifyPassword(stored ?? UNMATCHABLE_HASH, password);
      const who = ok ? principal(handlerId) : null;
      if (!who) {
        guesses.wrong(guess, now);
        throw new JiedianError('JD_BAD_CREDENTIALS', 'handler id and password do not match');
      }
      guesses.right(guess);
      const expiresAt = now + STAFF_SESSION_TTL_MS;
      return {
        token: tokens.issue({ h: handlerId }, expiresAt),
        expiresAt,
        expiresAtText: formatInstant(expiresAt, deps.timeZone),
        handler: who,
        deviceToken: devices.issue({ h: handlerId }, now + STAFF_DEVICE_TTL_MS),
      };
    },

    /** The signed-in staff member of a session token; null when missing, forged, expired or the handler is gone. */
    verify(token: string): StaffPrincipal | null {
      const claims = tokens.verify(token, deps.clock.now());
      return claims ? principal(claims.h) : null;
    },

    /** As verify, with the instant the session ends. */
    openSession(token: string): { who: StaffPrincipal; expiresAt: number } | null {
      const opened = tokens.open(token, deps.clock.now());
      const who = opened ? principal(opened.claims.h) : null;
      return who ? { who, expiresAt: opened!.expiresAt } : null;
    },

    /** From `Authorization: Bearer …` or the session cookie; 401 otherwise. */
    authenticate(request: FastifyRequest): StaffPrincipal {
      const header = request.headers.authorization;
      const token = header?.startsWith('Bearer ') ? header.slice(7) : (request.cookies?.[STAFF_COOKIE] ?? '');
      const who = token ? this.verify(token) : null;
      if (!who) throw new JiedianError('JD_UNAUTHORIZED', 'sign in first: missing, invalid or expired staff token');
      return who;
    },
  };
}

export type StaffAuth = ReturnType<typeof createStaffAuth>;
