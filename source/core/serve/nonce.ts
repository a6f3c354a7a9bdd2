/**
 * How a launched `duet serve` proves it is the process duet started: the launcher puts a
 * random nonce in this environment variable, the server echoes it in /v1/models
 * (`data[].duet.nonce`), and readiness accepts only that answer, never another server
 * that happens to hold the port.
 */
export const SERVE_NONCE_ENV = 'DUET_SERVE_NONCE';
