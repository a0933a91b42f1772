// Tells admins that someone is guessing at an account's query code or a staff member's password from several
// addresses: a warning in the log, a counter in /metrics, an item in GET /api/v1/staff/security-notices and an
// `security` frame on the admins' live feed. Kept in memory (the last MAX_KEPT): the log line is the lasting record.
import type { FastifyBaseLogger } from 'fastify';
import { formatInstant } from '../domain/dates.ts';
import { topics, type RealtimeHub } from '../realtime/hub.ts';
import type { UnderAttack } from '../limits/guess-limits.ts';
import type { Metrics } from '../shared/metrics.ts';

const MAX_KEPT = 200;

export interface SecurityNotice {
  kind: UnderAttack['kind'];
  /** the account number or handler id guessed at */
  subject: string;
  wrongGuesses: number;
  addresses: number;
  at: string;
  message: string;
}

export function createSecurityNotices(deps: { log: FastifyBaseLogger; metrics: Metrics; hub: RealtimeHub; timeZone: string }) {
  const kept: SecurityNotice[] = [];
  return {
    raise(attack: UnderAttack): void {
      const what = attack.kind === 'query_code' ? `账户 ${attack.subject} 的查询密码` : `工号 ${attack.subject} 的登录密码`;
      const notice: SecurityNotice = {
        kind: attack.kind,
        subject: attack.subject,
        wrongGuesses: attack.wrongGuesses,
        addresses: attack.addresses,
        at: formatInstant(attack.at, deps.timeZone),
        message: `${what}在一小时内被 ${attack.addresses} 个地址试错 ${attack.wrongGuesses} 次，疑似被人猜测；营业厅自助终端和本人登录过的浏览器不受影响。`,
      };
      kept.unshift(notice);
      kept.splice(MAX_KEPT);
      deps.metrics.count('jiedian_guessing_attacks_total', 'Accounts and staff ids reported as guessed at from several addresses', { kind: attack.kind });
      deps.log.warn({ kind: attack.kind, subject: attack.subject, wrongGuesses: attack.wrongGuesses, addresses: attack.addresses }, `${attack.kind === 'query_code' ? 'account' : 'staff id'} ${attack.subject} is being guessed at: ${attack.wrongGuesses} wrong in an hour from ${attack.addresses} addresses`);
      deps.hub.publish(topics.allStaff, JSON.stringify({ type: 'security', notice }));
    },
    /** newest first */
    recent(): SecurityNotice[] {
      return [...kept];
    },
  };
}

export type SecurityNotices = ReturnType<typeof createSecurityNotices>;
