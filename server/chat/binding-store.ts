// The store port of bindings: an SMS number, WeChat contact or Official Account follower bound to a customer account
// (the chatbot binds and unbinds; notices follow bindings; the Official Account's pages sign in by them).

/** The channels an address can be bound on: the notice channels a customer writes to the chatbot from. */
export type BindingChannel = 'sms' | 'wechat' | 'wechat_oa';

export interface BindingTarget {
  channel: BindingChannel;
  address: string;
}

export interface NewBinding extends BindingTarget {
  accountNo: string;
  at: number;
  /**
   * The applications of the account the binding covers, replacing the scope kept. null leaves the scope already kept
   * as it is; a new binding is then one "kept before scopes were" (see `legacyScope`).
   */
  applicationNos: string[] | null;
}

/** An account an address is bound to, and the applications that binding covers. */
export interface BoundAccount {
  accountNo: string;
  /** its recorded scope, or for a binding kept before scopes were, the legacy one */
  applicationNos: string[];
}

export interface BindingStore {
  bind(binding: NewBinding): Promise<void>;
  /** Removes every binding of the address (on every account); returns how many there were. */
  unbindAll(target: BindingTarget): Promise<number>;
  /** The accounts an address is bound to, most recently verified first. */
  boundTo(target: BindingTarget): Promise<BoundAccount[]>;
  /** Every address bound to the account. */
  ofAccount(accountNo: string): Promise<BindingTarget[]>;
  /** The account's bindings whose scope covers the application: where that application's customer notices go. */
  covering(accountNo: string, applicationNo: string): Promise<BindingTarget[]>;
  /**
   * What a binding kept before scopes were covers: the applications with the phone a binding code for the account
   * goes to (the latest active application's, else the latest's), newest first.
   */
  legacyScope(accountNo: string): Promise<string[]>;
}
