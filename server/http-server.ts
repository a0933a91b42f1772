// The HTTP shell every Jiedian instance has: Fastify with the contract's validation and error shape, request ids,
// logs without secrets, the cross-origin guard, request counts, graceful connection ends and the OpenAPI docs.
import { randomUUID } from 'node:crypto';
import Fastify, { type FastifyRequest, type FastifyServerOptions } from 'fastify';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import cookie from '@fastify/cookie';
import { TypeBoxValidatorCompiler, type TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { registerErrorHandling, sendError } from './http-errors.ts';
import { endConnectionsOnClose } from './http-connections.ts';
import { crossOriginGuard } from './routes/cross-origin.ts';
import type { Metrics } from './shared/metrics.ts';

/** Never log secrets, tokens or full phone numbers. */
export const redactedLogPaths = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-twilio-signature"]',
  '*.phone',
  '*.queryCode',
  '*.password',
  '*.token',
  '*.viewToken',
];

/**
 * Query parameters whose value is a secret: the SMS callback token (SMS_CALLBACK_TOKEN, in the callback URL the
 * providers post to), the e-mail unsubscribe link's signed token, a WeChat web authorization code.
 */
const secretQueryParameters = ['token', 'code', 'access_token'];
const secretQueryPattern = new RegExp(`([?&](?:${secretQueryParameters.join('|')})=)[^&#]*`, 'gi');

/** A request URL as it may be logged: the values of secret query parameters replaced, the rest as received. */
export function loggableUrl(url: string): string {
  return url.replace(secretQueryPattern, '$1[redacted]');
}

/** Fastify's request log fields, with the URL made loggable. */
function requestLogFields(request: FastifyRequest) {
  return {
    method: request.method,
    url: loggableUrl(request.url),
    version: request.headers['accept-version']?.toString(),
    host: request.host,
    remoteAddress: request.ip,
    remotePort: request.socket?.remotePort,
  };
}

/** Every logger the app makes logs requests through `requestLogFields`, whatever else its options say. */
function withRequestSerializer(logger: FastifyServerOptions['logger']): FastifyServerOptions['logger'] {
  if (!logger) return false;
  const options = logger === true ? {} : logger;
  return { ...options, serializers: { ...options.serializers, req: requestLogFields } };
}

export interface HttpServerOptions {
  /** Fastify logger option: false in tests, pino options in main */
  logger?: FastifyServerOptions['logger'];
  /** PUBLIC_URL: browsers' mutations must come from its origin */
  publicUrl: string;
  /** SHUTDOWN_GRACE_MS */
  shutdownGraceMs: number;
  metrics: Metrics;
}

/** A Fastify instance with everything but Jiedian's modules and routes; it never listens by itself. */
export async function createHttpServer(options: HttpServerOptions) {
  const app = Fastify({
    logger: withRequestSerializer(options.logger),
    requestIdHeader: 'x-request-id',
    genReqId: () => randomUUID(),
    bodyLimit: 1024 * 1024,
    routerOptions: { ignoreTrailingSlash: true },
    // errors Fastify raises before routing (a URL that does not decode): the contract's shape and a request id too
    frameworkErrors: (error, request, reply) => {
      reply.header('x-request-id', request.id);
      return sendError(reply, 'JD_INVALID_REQUEST', 400, error.message);
    },
  }).withTypeProvider<TypeBoxTypeProvider>();
  // TypeBox's own checker: bodies are checked as sent (a number where a string is due is a 400, not coerced
  // as Fastify's default Ajv does); params, querystrings and headers are still converted from text.
  app.setValidatorCompiler(TypeBoxValidatorCompiler);
  endConnectionsOnClose(app, options.shutdownGraceMs);

  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });
  app.addHook('onRequest', crossOriginGuard(options.publicUrl, 'mutations'));
  app.addHook('onResponse', async (request, reply) => {
    options.metrics.count('jiedian_http_requests_total', 'HTTP requests by route and status', {
      method: request.method,
      route: request.routeOptions.url ?? 'unknown',
      status: String(reply.statusCode),
    });
  });
  registerErrorHandling(app);

  await app.register(swagger, {
    openapi: {
      info: { title: 'Jiedian (接电) API', version: '1.0.0', description: 'Connection-progress service: sync, progress, hurry, staff, chat.' },
      components: {
        securitySchemes: {
          syncToken: { type: 'http', scheme: 'bearer', description: 'SYNC_TOKEN' },
          viewToken: { type: 'http', scheme: 'bearer', description: 'viewToken from POST /api/v1/progress/query' },
          staffToken: { type: 'http', scheme: 'bearer', description: 'token from POST /api/v1/staff/login (or its httpOnly cookie)' },
          metricsToken: { type: 'http', scheme: 'bearer', description: 'METRICS_TOKEN (GET /metrics from another machine)' },
        },
      },
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
  await app.register(cookie);
  return app;
}
