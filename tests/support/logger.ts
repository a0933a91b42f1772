// A Fastify logger whose JSON lines the test reads back.
import Fastify, { type FastifyBaseLogger } from 'fastify';

export function recordingLogger(): { logger: FastifyBaseLogger; lines: string[]; entries: () => Record<string, unknown>[] } {
  const lines: string[] = [];
  const app = Fastify({ logger: { level: 'info', stream: { write: (line: string) => void lines.push(line) } } });
  return { logger: app.log, lines, entries: () => lines.map((line) => JSON.parse(line) as Record<string, unknown>) };
}
