import { describe, expect, it } from 'vitest';
import { httpFailure } from '../../../../source/core/engines/openai/http.js';

// Error bodies in the shapes each server family (and a proxy in front of one) answers with.
describe('httpFailure', () => {
  it("reduces a proxy's HTML error page to its title", () => {
    const nginx = '<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx/1.24.0</center>\r\n</body>\r\n</html>\r\n';
    expect(httpFailure(502, 'text/html', nginx)).toEqual({ message: 'HTTP 502: 502 Bad Gateway', overload: false });
    expect(httpFailure(504, 'text/html; charset=utf-8', '<!DOCTYPE html><html><body><h1>Gateway &amp; proxy timed out</h1></body></html>').message).toBe(
      'HTTP 504: Gateway & proxy timed out',
    );
  });

  it('reads OpenAI/vLLM JSON by its message, unescaped, and names its type', () => {
    const body = JSON.stringify({ error: { message: 'The model `llama-3b` does not exist.', type: 'NotFoundError', param: null, code: 404 } });
    expect(httpFailure(404, 'application/json', body)).toEqual({ message: 'HTTP 404: The model `llama-3b` does not exist. (NotFoundError)', overload: false });
  });

  it("reads Ollama's {error} without its JSON escapes", () => {
    expect(httpFailure(404, 'application/json; charset=utf-8', '{"error":"model \\"llama3.2:1b\\" not found, try pulling it first"}').message).toBe(
      'HTTP 404: model "llama3.2:1b" not found, try pulling it first',
    );
  });

  it('counts 429, 503 and the servers\' overload words as overload', () => {
    expect(httpFailure(429, 'application/json', '{"error":"Model is overloaded","error_type":"overloaded"}')).toEqual({ message: 'HTTP 429: Model is overloaded', overload: true }); // the type adds nothing it does not say
    expect(httpFailure(503, 'application/json', '{"error":"server busy, please try again.  maximum pending requests exceeded"}').overload).toBe(true);
    expect(httpFailure(500, 'text/plain', 'Engine callback timeout: server tokenTimeout')).toEqual({ message: 'HTTP 500: Engine callback timeout: server tokenTimeout', overload: true });
    expect(httpFailure(500, 'application/json', '{"error":{"code":500,"message":"failed to decode","type":"server_error"}}').overload).toBe(false);
  });

  it('keeps a long message whole well past 500 characters, on one line', () => {
    const long = `Input validation error: ${'x'.repeat(900)}`;
    const message = httpFailure(422, 'application/json', JSON.stringify({ error: long, error_type: 'validation' })).message;
    expect(message).toBe(`HTTP 422: ${long}`);
    expect(httpFailure(500, 'text/plain', 'first line\nsecond line\n').message).toBe('HTTP 500: first line second line');
  });

  it('says so when the body is empty, and reads JSON sent as text/plain', () => {
    expect(httpFailure(503, 'text/plain', '')).toEqual({ message: 'HTTP 503: (empty body)', overload: true });
    expect(httpFailure(400, 'text/plain', '{"error":"Request param contains not messages"}').message).toBe('HTTP 400: Request param contains not messages');
  });
});
