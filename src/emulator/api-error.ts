/** An AWS error as the wire names it (`__type`, an HTTP status), for the services beside ECR. */
export class ApiError extends Error {
  constructor(
    readonly type: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
    this.name = type;
  }
}

/** A fault a test or benchmark injects into one operation, answered before the operation runs. */
export interface OperationFault {
  readonly type: string;
  readonly status?: number;
  readonly message?: string;
}
