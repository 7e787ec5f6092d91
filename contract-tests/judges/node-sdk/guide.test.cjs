// The official @nangohq/node SDK (pinned 0.71.10, unmodified but for `host`) drives the mock
// through the re-authorization guide. Run by contract-tests/tests/judges.rs with
// NANGO_HOST, NANGO_SECRET_KEY and NODE_PATH pointing at the installed SDK.
'use strict';
const { test } = require('node:test');
const assert = require('node:assert/strict');
const { Nango } = require('@nangohq/node');

const host = process.env.NANGO_HOST;
const secretKey = process.env.NANGO_SECRET_KEY;
const nango = new Nango({ secretKey, host });

async function status(promise) {
  try {
    await promise;
    return 200;
  } catch (error) {
    return error.response ? error.response.status : -1;
  }
}

async function errorBody(promise) {
  try {
    await promise;
    return null;
  } catch (error) {
    return error.response ? error.response.data : null;
  }
}

test('createConnectSession returns a session token', async () => {
  const res = await nango.createConnectSession({ end_user: { id: 'user-1', email: 'user-1@example.com' } });
  assert.match(res.data.token, /^nango_connect_session_[a-f0-9]{64}$/);
  assert.ok(res.data.connect_link.endsWith(`/?session_token=${res.data.token}`));
  assert.ok(Date.parse(res.data.expires_at) > Date.now());
});

test('getConnection reads the seeded connection', async () => {
  const conn = await nango.getConnection('github', 'conn-session-1');
  assert.equal(conn.connection_id, 'conn-session-1');
  assert.deepEqual(conn.metadata, { team: 'core' });
  assert.deepEqual(conn.tags, { env: 'prod' });
});

test('the guide: an invalid connection shows 4xx, a reconnect session fixes it', async () => {
  const expire = await fetch(`${host}/_mock/connections/conn-session-1/expire?provider_config_key=github`, { method: 'POST' });
  assert.equal(expire.status, 200);
  const broken = await status(nango.getConnection('github', 'conn-session-1'));
  assert.ok(broken >= 400 && broken < 500, `expected 4xx, got ${broken}`);
  const session = await nango.createReconnectSession({ connection_id: 'conn-session-1', integration_id: 'github' });
  assert.match(session.data.token, /^nango_connect_session_/);
  const done = await fetch(`${host}/_mock/connect/complete`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ token: session.data.token }),
  });
  assert.equal(done.status, 200);
  const restored = await nango.getConnection('github', 'conn-session-1');
  assert.deepEqual(restored.metadata, { team: 'core' });
});

test('4xx paths surface as errors with Nango codes', async () => {
  const unknown = await errorBody(nango.createReconnectSession({ connection_id: 'nope', integration_id: 'github' }));
  assert.equal(unknown.error.code, 'invalid_body');
  assert.equal(unknown.error.message, 'ConnectionID or IntegrationId does not exists');
  const legacy = await errorBody(nango.createReconnectSession({ connection_id: 'conn-legacy-1', integration_id: 'github' }));
  assert.equal(legacy.error.code, 'invalid_body');
  const missing = await errorBody(nango.getConnection('github', 'nope'));
  assert.equal(missing.error.code, 'not_found');
  const wrongKey = new Nango({ secretKey: '00000000-0000-4000-8000-000000000000', host });
  const denied = await errorBody(wrongKey.getConnection('github', 'conn-session-1'));
  assert.equal(denied.error.code, 'unknown_account');
});

test('deleteConnection removes a connection', async () => {
  const res = await nango.deleteConnection('github', 'conn-legacy-1');
  assert.equal(res.status, 200);
  assert.deepEqual(res.data, { success: true });
  assert.equal(await status(nango.getConnection('github', 'conn-legacy-1')), 404);
});
