// The one error class of the HTTP contract: a stable `JD_…` code, its status, a message for people.

export const errorStatus = {
  JD_INVALID_REQUEST: 400,
  JD_UNAUTHORIZED: 401,
  JD_BAD_CREDENTIALS: 401,
  JD_FORBIDDEN: 403,
  JD_NOT_FOUND: 404,
  JD_CONFLICT: 409,
  JD_NOT_ACTIVE: 409,
  JD_PAYLOAD_TOO_LARGE: 413,
  JD_HURRY_COOLDOWN: 429,
  JD_RATE_LIMITED: 429,
  JD_INTERNAL: 500,
  JD_UNAVAILABLE: 503,
} as const;

export type ErrorCode = keyof typeof errorStatus;

export class JiedianError extends Error {
  readonly statusCode: number;
  constructor(
    readonly code: ErrorCode,
    message: string,
    /** extra body fields (e.g. retryAfterSeconds) and headers (e.g. Retry-After) */
    readonly extra: { body?: Record<string, unknown>; headers?: Record<string, string> } = {},
  ) {
    super(message);
    this.name = 'JiedianError';
    this.statusCode = errorStatus[code];
  }
}

export const invalid = (message: string) => new JiedianError('JD_INVALID_REQUEST', message);
export const notFound = (message = 'not found') => new JiedianError('JD_NOT_FOUND', message);
export const unauthorized = (message = 'missing or invalid token') => new JiedianError('JD_UNAUTHORIZED', message);
