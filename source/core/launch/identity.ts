/**
 * Readiness must prove it reached the server duet started, not another process that holds
 * the port (ours then dies of EADDRINUSE while the other answers every question). The
 * server's model list says who it is: a `duet serve` echoes the nonce duet gave it
 * (serve/nonce.ts); any other server must list the model the profile expects.
 */
export interface ServerIdentity {
  /** The server's model list, e.g. http://127.0.0.1:8001/v1/models */
  modelsUrl: string;
  /** The model id the profile names (`served`); unchecked when absent. */
  modelId?: string;
}

interface ModelEntry {
  id?: unknown;
  duet?: { nonce?: unknown };
}

/** undefined when the answering server is ours, else why not (one line). */
export async function verifyIdentity(identity: ServerIdentity, nonce: string, doFetch: typeof fetch, signal: AbortSignal): Promise<string | undefined> {
  let response: Response;
  try {
    response = await doFetch(identity.modelsUrl, { signal: AbortSignal.any([signal, AbortSignal.timeout(2_000)]) });
  } catch (error) {
    return `${identity.modelsUrl}: ${error instanceof Error ? error.message : String(error)}`;
  }
  // A server that wants a key for its model list cannot be asked; its health answer has to do.
  if (response.status === 401 || response.status === 403) {
    await response.body?.cancel();
    return undefined;
  }
  if (!response.ok) {
    await response.body?.cancel();
    return `${identity.modelsUrl}: HTTP ${response.status}`;
  }
  let entries: ModelEntry[] = [];
  try {
    const body = (await response.json()) as { data?: unknown };
    if (Array.isArray(body.data)) entries = body.data as ModelEntry[];
  } catch {
    return `${identity.modelsUrl}: not a model list`;
  }
  const nonces = entries.map((e) => (typeof e?.duet === 'object' && e.duet !== null ? e.duet.nonce : undefined)).filter((n) => n !== undefined);
  if (nonces.includes(nonce)) return undefined;
  if (nonces.length > 0 || entries.some((e) => typeof e?.duet === 'object')) {
    return 'the port is answered by another duet serve, not the one just started (is another process on this port?)';
  }
  if (identity.modelId !== undefined && !entries.some((e) => e?.id === identity.modelId)) {
    const served = entries.map((e) => String(e?.id)).slice(0, 3).join(', ') || 'none';
    return `the port is answered by a server without model "${identity.modelId}" (it serves: ${served}); is another process on this port?`;
  }
  return undefined;
}
