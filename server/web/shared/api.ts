// fetch() with the contract's error shape: a failed call throws an ApiError carrying the stable `code` and, for
// 429s, how long to wait (body `retryAfterSeconds` or the Retry-After header).

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly retryAfterSeconds: number | null,
    /** the error body's other fields (e.g. a refused hurry's `side`, `stepName`, `customerTasks`, `nextStep`) */
    readonly body: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export interface CallOptions {
  body?: unknown;
  /** a view token or staff token; staff pages rely on the httpOnly cookie instead */
  token?: string | null;
  headers?: Record<string, string>;
  signal?: AbortSignal;
}

/** Headers every call of this page sends (the kiosk's device key). */
const pageHeaders: Record<string, string> = {};

export function sendWithEveryCall(name: string, value: string): void {
  pageHeaders[name] = value;
}

export async function call<T>(method: string, path: string, options: CallOptions = {}): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json', ...pageHeaders, ...options.headers };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  let response: Response;
  try {
    response = await fetch(path, {
      method,
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      credentials: 'same-origin',
      cache: 'no-store',
      signal: options.signal,
    });
  } catch (error) {
    if (error instanceof DOMException && error.name === 'AbortError') throw error;
    throw new ApiError(0, 'NETWORK', '网络连接失败，请稍后再试', null);
  }
  const text = await response.text();
  let payload: unknown = null;
  try {
    payload = text ? JSON.parse(text) : null;
  } catch {
    payload = null;
  }
  if (!response.ok) {
    const body = (payload !== null && typeof payload === 'object' && !Array.isArray(payload) ? payload : {}) as { code?: string; message?: string; retryAfterSeconds?: number };
    const header = Number(response.headers.get('retry-after'));
    const retry = typeof body.retryAfterSeconds === 'number' ? body.retryAfterSeconds : Number.isFinite(header) && header > 0 ? header : null;
    throw new ApiError(response.status, body.code ?? `HTTP_${response.status}`, body.message ?? response.statusText, retry, body as Record<string, unknown>);
  }
  return payload as T;
}
