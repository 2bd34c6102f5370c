/** Base class of every error that the Huawei SDK-HMAC-SHA256 signer throws. */
export class HuaweiSigningError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** Error for a request, credential or date that cannot be signed or verified as given. */
export class InvalidSigningInputError extends HuaweiSigningError {}

/** Error for a header that SignedHeaders names but the received request does not contain. */
export class MissingSignedHeaderError extends HuaweiSigningError {
  /** Lowercase name of the missing header. */
  readonly headerName: string;

  constructor(headerName: string) {
    super(`signed header ${headerName} is missing from the request headers`);
    this.headerName = headerName;
  }
}
