// An integrator's program written against a client GENERATED from openapi/openapi.json
// (openapi-typescript writes schema.d.ts, openapi-fetch calls the API with those types;
// `tsc` checks it): the proof that the document is complete and exact enough to build on.
//
// Driven by api/tests/it/integrator.rs over stdin/stdout:
//   1. gets a token (client credentials), subscribes a webhook to its own receiver, runs a
//      full sync, prints `synced <dossiers> <cursor>`;
//   2. waits for `changed` on stdin (the test changed a dossier and enrolled a child), runs
//      an incremental sync from the cursor, waits for the webhook, verifies its signature
//      (and refuses it replayed later), prints `ok <json>`.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage } from 'node:http';
import { createInterface } from 'node:readline';
import createClient from 'openapi-fetch';
import type { components, paths } from './schema.js';

type Change = components['schemas']['DossierChange'];

const env = (name: string): string => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is missing`);
  return value;
};
const baseUrl = env('BASE_URL');
const clientId = env('CLIENT_ID');
const clientSecret = env('CLIENT_SECRET');

/** Standard Webhooks, the receiver's side: signature and a 5-minute window. */
function verify(secret: string, id: string, timestamp: string, signatures: string, body: string, now: number): boolean {
  if (Math.abs(now - Number(timestamp)) > 300) return false;
  const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
  const expected = createHmac('sha256', key).update(`${id}.${timestamp}.${body}`).digest();
  return signatures.split(' ').some((s) => {
    if (!s.startsWith('v1,')) return false;
    const given = Buffer.from(s.slice(3), 'base64');
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
}

async function token(): Promise<string> {
  const client = createClient<paths>({ baseUrl });
  const { data, error } = await client.POST('/api/oauth/token', {
    headers: {
      authorization: `Basic ${Buffer.from(`${clientId}:${clientSecret}`).toString('base64')}`,
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: { grant_type: 'client_credentials' },
    bodySerializer: (body) => new URLSearchParams(body as Record<string, string>).toString(),
  });
  if (!data) throw new Error(`token refused: ${JSON.stringify(error)}`);
  return data.access_token;
}

/** Every page from `cursor` on: the changes and where the next sync starts. */
async function syncFrom(api: ReturnType<typeof createClient<paths>>, cursor?: string): Promise<[Change[], string]> {
  const items: Change[] = [];
  let next = cursor;
  for (;;) {
    const { data, error } = await api.GET('/api/integration/v1/dossiers', {
      params: { query: { cursor: next, limit: 2 } },
    });
    if (!data) throw new Error(`sync refused: ${JSON.stringify(error)}`);
    items.push(...data.items);
    next = data.next_cursor;
    if (!data.has_more) return [items, next];
  }
}

const received: { id: string; timestamp: string; signature: string; body: string }[] = [];
const receiver = createServer((req: IncomingMessage, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    received.push({
      id: String(req.headers['webhook-id'] ?? ''),
      timestamp: String(req.headers['webhook-timestamp'] ?? ''),
      signature: String(req.headers['webhook-signature'] ?? ''),
      body: Buffer.concat(chunks).toString('utf8'),
    });
    res.writeHead(204).end();
  });
});
await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
const address = receiver.address();
if (!address || typeof address === 'string') throw new Error('no receiver port');

const access = await token();
const api = createClient<paths>({ baseUrl, headers: { authorization: `Bearer ${access}` } });
const subscribed = await api.POST('/api/integration/v1/webhooks', {
  body: { url: `http://127.0.0.1:${address.port}/hooks`, events: ['inscription.confirmee'] },
});
if (!subscribed.data) throw new Error(`subscription refused: ${JSON.stringify(subscribed.error)}`);
const secret = subscribed.data.secret;

const [first, cursor] = await syncFrom(api);
const dossiers = new Set(first.filter((c) => c.resource === 'dossier' && !c.deleted).map((c) => c.id));
console.log(`synced ${dossiers.size} ${cursor}`);

const lines = createInterface({ input: process.stdin });
for await (const line of lines) {
  if (line.trim() === 'changed') break;
}

const [changes] = await syncFrom(api, cursor);
const changed = changes.filter((c) => c.resource === 'dossier').map((c) => ({ id: c.id, commune: c.dossier?.commune ?? null }));
const deadline = Date.now() + 15_000;
while (!received.length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
const hook = received[0];
if (!hook) throw new Error('no webhook received');
const now = Math.floor(Date.now() / 1000);
const verified = verify(secret, hook.id, hook.timestamp, hook.signature, hook.body, now);
const replayRefused = !verify(secret, hook.id, hook.timestamp, hook.signature, hook.body, now + 360);
const event = JSON.parse(hook.body) as { type: string; data: { dossier_id: string } };
console.log(`ok ${JSON.stringify({ changed, verified, replayRefused, type: event.type, dossier: event.data.dossier_id })}`);
receiver.close();
process.exit(0);
