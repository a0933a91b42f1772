// The store port of staff accounts: who a handler is as a staff member, their password, who works on an application.

/** Whose queue: a handler their own items, a team lead their team's, an admin all. */
export interface StaffScope {
  role: 'handler' | 'team_lead' | 'admin';
  handlerId: string;
  teamId: string;
}

/** A staff member as a session names them. */
export interface StaffPrincipal extends StaffScope {
  name: string;
  teamName: string;
  phone: string;
}

export interface StaffAccounts {
  /** null when the handler is not synced (or their team is not) */
  member(handlerId: string): Promise<StaffPrincipal | null>;
  /** null when the handler has no password (or is not synced) */
  passwordHash(handlerId: string): Promise<string | null>;
  /** false when there is no such handler */
  setPasswordHash(handlerId: string, hash: string): Promise<boolean>;
  /** the handler's role, whether or not their team is synced; null when there is no such handler */
  role(handlerId: string): Promise<StaffScope['role'] | null>;
  /** false when there is no such handler */
  setRole(handlerId: string, role: StaffScope['role']): Promise<boolean>;
  /**
   * Who works on the application: its steps' handlers, its account manager and the handlers its hurries went to,
   * each with their team (null: an id the marketing system has not synced as a handler). null: no such application.
   */
  workersOf(applicationNo: string): Promise<{ handlerId: string; teamId: string | null }[] | null>;
  /** the team leads of `teamId`, or of every team when it is null, by id */
  leads(teamId: string | null): Promise<{ handlerId: string; name: string; phone: string; teamId: string }[]>;
}
