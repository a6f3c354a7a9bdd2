/**
 * The one home of secret redaction, for everything duet writes about how a server was
 * started (the server log's first line, the session header's profile): API keys given as
 * flags (`--api-key X`, `--api-key=X`, `--hf-token X`), HTTP headers given as arguments
 * (`--header "Authorization: Bearer X"`, `-H "x-api-key: X"`), bearer tokens inside any
 * argument (a JSON headers blob), and passwords in URLs.
 */
export const REDACTED = '[redacted]';

/** Flags whose value is a secret: --api-key, --token, --hf-token, --client-secret, --password... (not --max-tokens). */
const SECRET_FLAG = /^--?(?:[\w-]*[-_])?(?:api[-_]?keys?|keys?|token|secret|password|passwd|credentials?|auth(?:orization)?)$/i;
/** A header line whose value is a secret. */
const SECRET_HEADER = /^(\s*(?:proxy-)?authorization|\s*x-api-key|\s*api-key|\s*x-auth-token|\s*cookie)(\s*:\s*).+$/i;
const BEARER = /\b(Bearer|Basic|Token)\s+[A-Za-z0-9._~+/=-]+/g;
const URL_PASSWORD = /\b([a-z][a-z0-9+.-]*:\/\/[^/:@\s]+):[^@/\s]+@/gi;

export function isSecretFlag(arg: string): boolean {
  return SECRET_FLAG.test(arg);
}

/** One argument or free text with inline secrets hidden (headers, bearer tokens, URL passwords). */
export function redactText(text: string): string {
  const header = SECRET_HEADER.exec(text);
  if (header) return `${header[1]}${header[2]}${REDACTED}`;
  return text.replace(BEARER, `$1 ${REDACTED}`).replace(URL_PASSWORD, `$1:${REDACTED}@`);
}

/** An argument list with every secret value hidden; everything else verbatim. */
export function redactArgs(args: readonly string[]): string[] {
  return args.map((arg, i) => {
    const inline = /^(--?[\w-]+)=(.*)$/s.exec(arg);
    if (inline && isSecretFlag(inline[1]!)) return `${inline[1]}=${REDACTED}`;
    const previous = args[i - 1];
    if (previous !== undefined && isSecretFlag(previous)) return REDACTED;
    return redactText(arg);
  });
}
