/** Error names the OpenAI client (and LangChain's wrapping of it) uses for a failed model call. */
const ENDPOINT_ERROR_NAME = /^(API\w*Error|\w*ConnectionError|\w*TimeoutError|AuthenticationError|BadRequestError|NotFoundError|PermissionDeniedError|RateLimitError|InternalServerError|UnprocessableEntityError|ConflictError)$/;
const ENDPOINT_ERROR_MESSAGE = /ECONNREFUSED|ECONNRESET|ENOTFOUND|EAI_AGAIN|ETIMEDOUT|fetch failed|Connection error|socket hang up/i;

/**
 * Whether an error came from the model endpoint (it did not answer, or
 * answered with an HTTP error), as opposed to a bug or a database problem.
 * @param error what a graph run threw
 * @returns true for endpoint failures
 * @example isEndpointError(Object.assign(new Error("Connection error."), { name: "APIConnectionError" })) // true
 */
export function isEndpointError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const status = (error as { status?: unknown }).status;
  if (typeof status === "number" && status >= 400) return true;
  const code = (error as { lc_error_code?: unknown }).lc_error_code;
  if (typeof code === "string" && code.startsWith("MODEL_")) return true;
  return ENDPOINT_ERROR_NAME.test(error.name) || ENDPOINT_ERROR_NAME.test(error.constructor?.name ?? "") || ENDPOINT_ERROR_MESSAGE.test(error.message);
}

/**
 * One line naming the endpoint and the model that failed, and why.
 * @param error the endpoint error
 * @param endpoint the base URL (undefined: OpenAI's) and the model name
 * @returns the line, without "persona: "
 * @example describeEndpointError(new Error("Connection error."), { baseURL: "http://127.0.0.1:9/v1", model: "m" })
 * // "the model endpoint failed (http://127.0.0.1:9/v1, model m): Connection error"
 */
export function describeEndpointError(error: unknown, endpoint: { baseURL?: string; model: string }): string {
  const reason = (error instanceof Error ? error.message : String(error)).split("\n")[0]!.trim().replace(/\.$/, "") || "no reason given";
  return `the model endpoint failed (${endpoint.baseURL ?? "https://api.openai.com/v1"}, model ${endpoint.model}): ${reason}`;
}
