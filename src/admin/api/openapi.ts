import { z } from 'zod';
import { enApps } from '../../i18n/messages-apps.ts';
import type { Operation } from './operations.ts';
import { COMPONENTS } from './schemas.ts';
import { ADMIN_SCOPES } from './scopes.ts';

type JsonSchema = Record<string, unknown>;

const REF = (name: string) => ({ $ref: `#/components/schemas/${name}` });

/** zod's JSON Schema without the members that belong to a standalone document (`$schema`, `$id`). */
const bare = (schema: JsonSchema): JsonSchema => {
  const { $schema: _dialect, $id: _id, ...rest } = schema;
  return rest;
};

/** The component name of a schema of `COMPONENTS`, found by identity. */
const componentOf = (schema: z.ZodType): string => {
  const found = Object.entries(COMPONENTS).find(([, s]) => s === schema);
  if (!found) throw new Error('admin API: a request or response schema is not in COMPONENTS');
  return found[0];
};

/** Path or query parameters of an operation, from the zod object that validates them. */
const parametersOf = (schema: z.ZodType, where: 'path' | 'query') => {
  const json = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as { properties?: Record<string, JsonSchema>; required?: string[] };
  return Object.entries(json.properties ?? {}).map(([name, property]) => {
    const { description, ...rest } = property;
    return { name, in: where, required: where === 'path' || (json.required ?? []).includes(name), ...(description ? { description } : {}), schema: rest };
  });
};

const PROBLEM_CONTENT = { 'application/problem+json': { schema: REF('Problem') } };

/** What each refusal means, the same for every operation. */
const REFUSALS: Record<number, { description: string; headers?: Record<string, unknown> }> = {
  400: { description: 'The request did not validate (`errors` names each field), or a service refused the value.' },
  401: {
    description: 'No access token, or one that is unknown, expired, revoked, or of an app that is no longer active.',
    headers: { 'WWW-Authenticate': { description: 'RFC 6750 §3: `Bearer`, with `error="invalid_token"` for a bad token.', schema: { type: 'string' } } },
  },
  403: {
    description: 'The token lacks the operation\'s scope (`insufficient_scope`), or the app may not act on this person, role or app.',
    headers: { 'WWW-Authenticate': { description: 'RFC 6750 §3: `error="insufficient_scope"` and the scope needed, when that is why.', schema: { type: 'string' } } },
  },
  404: { description: 'No such person, session, grant or app.' },
  409: { description: 'Nothing to do: the state is already so, there is nothing to reset, or the grant exists or ended already.' },
  503: { description: 'A store or the directory is unavailable; try again (see `Retry-After`).' },
};

const INFO_DESCRIPTION = [
  'Every administrative action of the Satu Akun console about people, sessions, global roles, app roles and agencies, for the regency\'s automation and for agency systems.',
  '',
  'Authenticate with an access token from the client-credentials grant (`POST /token`) of an app granted the admin scopes: in the clients file (the regency\'s own automation, acting for everyone as an administrator), or by Diskominfo\'s review of a registered app (acting for its owning agency, as that agency\'s administrator). Each call is recorded in the audit trail with the app as actor (`client:<client_id>`).',
  '',
  'Errors are RFC 9457 problem details (`application/problem+json`) with a `code` (a stable message key) and, for invalid input, `errors` per field.',
].join('\n');

/**
 * The OpenAPI 3.1 document of the admin API, generated from the operations and the zod schemas that validate them:
 * what is documented is what is enforced.
 */
export const openApiDocument = (operations: Operation[], { issuer, base }: { issuer: string; base: string }) => {
  const registry = z.registry<{ id: string }>();
  for (const [id, schema] of Object.entries(COMPONENTS)) registry.add(schema, { id });
  const generated = z.toJSONSchema(registry, { io: 'input', unrepresentable: 'any', uri: (id) => `#/components/schemas/${id}` }) as { schemas: Record<string, JsonSchema> };
  const schemas = Object.fromEntries(Object.entries(generated.schemas).map(([id, schema]) => [id, bare(schema)]));

  const paths: Record<string, Record<string, unknown>> = {};
  for (const op of operations) {
    const statuses = [...new Set([400, 401, 403, ...op.refusals, 503])].sort((a, b) => a - b);
    const refusals = Object.fromEntries(statuses.map((status) => [String(status), { ...REFUSALS[status]!, content: PROBLEM_CONTENT }]));
    const success = op.response.schema
      ? { description: op.response.description, content: { 'application/json': { schema: REF(componentOf(op.response.schema)) } } }
      : { description: op.response.description };
    (paths[op.path] ??= {})[op.method] = {
      operationId: op.operationId,
      summary: op.summary,
      description: `${op.description}\n\nScope: \`${op.scope}\`.`,
      tags: [op.path.split('/')[1]],
      security: [{ oauth2: [op.scope] }, { bearerAuth: [op.scope] }],
      parameters: [...parametersOf(op.params, 'path'), ...parametersOf(op.query, 'query')],
      ...(op.body ? { requestBody: { required: true, content: { 'application/json': { schema: REF(componentOf(op.body)) } } } } : {}),
      responses: { [String(op.response.status)]: success, ...refusals },
    };
  }

  return {
    openapi: '3.1.0',
    info: { title: 'Satu Akun admin API', version: '1.0.0', description: INFO_DESCRIPTION },
    servers: [{ url: base }],
    security: [{ bearerAuth: [] }],
    tags: [
      { name: 'people', description: 'Accounts, their state, sessions and second factors' },
      { name: 'role-grants', description: 'Global roles' },
      { name: 'apps', description: 'App roles' },
      { name: 'agencies', description: 'The agency list' },
    ],
    paths,
    components: {
      schemas,
      securitySchemes: {
        bearerAuth: { type: 'http', scheme: 'bearer', description: 'An access token of the client-credentials grant carrying the operation\'s scope.' },
        oauth2: {
          type: 'oauth2',
          description: 'The client-credentials grant of an app granted admin scopes.',
          flows: { clientCredentials: { tokenUrl: new URL('/token', issuer).href, scopes: Object.fromEntries(ADMIN_SCOPES.map((scope) => [scope, enApps[`scope.${scope}`]])) } },
        },
      },
    },
  };
};
