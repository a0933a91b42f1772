// The mobile progress page's sign-in inside WeChat: web authorization (snsapi_base) gives the page a code, the code
// gives the OpenID, and the OpenID's binding gives a view token for the applications it covers.
import { WechatApiError, WechatTransportError, webAuthorizeUrl, type WechatOaApi } from '../../channels/wechat-oa/api.ts';
import type { BindingStore } from '../chat/binding-store.ts';
import type { WechatOaConfig } from '../config.ts';
import { JiedianError } from '../errors.ts';
import type { CustomerAccess } from '../customers/customer-access.ts';

export interface WechatOaWebOptions {
  config: Pick<WechatOaConfig, 'appId' | 'oauthBaseUrl'> | null;
  api: WechatOaApi | null;
  bindings: BindingStore;
  customers: CustomerAccess;
  publicUrl: string;
}

export function createWechatOaWeb(options: WechatOaWebOptions) {
  const { config, api, bindings, customers } = options;

  return {
    /** Web authorization is possible: the Official Account is configured. */
    enabled: config !== null && api !== null,

    /** Where WeChat's web authorization starts for the page at `pagePath` (path and query of our page). */
    authorizeUrl(pagePath: string): string {
      if (!config) throw new JiedianError('JD_NOT_FOUND', 'WeChat web authorization is not configured');
      return webAuthorizeUrl(config.oauthBaseUrl, config.appId, `${options.publicUrl}${pagePath}`);
    },

    /**
     * The view token for the OpenID behind `code`: the account its binding covers (`applicationNo`'s, when one of its
     * bindings covers it). 401 for a code WeChat does not accept; 404 when the OpenID is bound to no account.
     */
    async session(code: string, applicationNo: string | null) {
      if (!api) throw new JiedianError('JD_NOT_FOUND', 'WeChat web authorization is not configured');
      let openId: string;
      try {
        openId = await api.openIdOfCode(code);
      } catch (error) {
        if (error instanceof WechatApiError) throw new JiedianError('JD_UNAUTHORIZED', 'the WeChat authorization code is invalid, expired or used');
        if (error instanceof WechatTransportError) throw new JiedianError('JD_UNAUTHORIZED', 'WeChat could not be asked who this is; sign in with the account number and query code');
        throw error;
      }
      const bound = await bindings.boundTo({ channel: 'wechat_oa', address: openId });
      const chosen = bound.find((b) => applicationNo !== null && b.applicationNos.includes(applicationNo)) ?? bound[0];
      if (!chosen) throw new JiedianError('JD_NOT_FOUND', 'no account is bound to this WeChat user');
      return await customers.grantFor(chosen.accountNo, chosen.applicationNos);
    },
  };
}

export type WechatOaWeb = ReturnType<typeof createWechatOaWeb>;
