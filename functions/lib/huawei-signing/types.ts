/** Huawei AK/SK credentials. `securityToken` is set for temporary credentials. */
export interface HuaweiCredentials {
  /** Access key id, sent in the Authorization header. */
  readonly ak: string;
  /** Secret access key, used only as the HMAC key. */
  readonly sk: string;
  /** Security token of temporary credentials, sent as X-Security-Token and signed. */
  readonly securityToken?: string;
}

/** A request to sign. Header names may be any case. */
export interface RequestToSign {
  /** HTTP method in uppercase, such as `POST`. */
  readonly method: string;
  /** Request URL. Its path and query enter the signature, its host only through the `host` header. */
  readonly url: URL;
  /** Request headers. Every header given here is signed. */
  readonly headers: Readonly<Record<string, string>>;
  /** Request body exactly as sent, hashed as UTF-8. An empty string means no body. */
  readonly body: string;
}
