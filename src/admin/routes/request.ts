/**
 * Release-request links for the sender: GET shows the form, POST records the request with the sender's
 * justification. The HMAC signature in the link is the credential (public route); the POST must come from our
 * own origin.
 */
import type { FastifyInstance } from 'fastify';
import { maskAddress } from '../../core/address.js';
import { requestRelease } from '../../quarantine/release.js';
import type { QuarantineRecord } from '../../quarantine/types.js';
import type { AdminContext } from '../context.js';
import { HttpError } from '../errors.js';
import { idParamsSchema } from '../schemas.js';
import { originAllowed } from '../security.js';
import { render } from '../templates.js';

function page(
  r: QuarantineRecord,
  exp: string,
  sig: string,
  state: 'form' | 'done' | 'closed',
  error?: string,
): string {
  const own = r.verdict.hits.filter((h) => r.verdict.rules.includes(h.ruleId)).map((h) => h.reason);
  return render('request', { r, exp, sig, state, error, reasons: own.length ? own : [r.verdict.reason] });
}

export function requestRoutes(app: FastifyInstance, ctx: AdminContext): void {
  const { store, signer, audit, logger } = ctx;
  const linkSchema = {
    type: 'object',
    properties: { exp: { type: 'string', maxLength: 40 }, sig: { type: 'string', maxLength: 200 } },
  } as const;

  app.get<{ Params: { id: string }; Querystring: { exp?: string; sig?: string } }>(
    '/request/:id',
    { config: { role: 'public' }, schema: { hide: true, params: idParamsSchema, querystring: linkSchema } },
    async (req, reply) => {
      const { exp = '', sig = '' } = req.query;
      if (!signer.verify(req.params.id, exp, sig)) throw new HttpError(403, 'this link is invalid or has expired');
      const rec = await store.get(req.params.id);
      return reply
        .type('text/html; charset=utf-8')
        .send(page(rec, exp, sig, rec.status === 'held' ? 'form' : 'closed'));
    },
  );

  app.post<{ Params: { id: string }; Body: { exp?: string; sig?: string; justification?: string } }>(
    '/request/:id',
    {
      config: { role: 'public' },
      schema: {
        hide: true,
        params: idParamsSchema,
        body: {
          type: 'object',
          properties: { ...linkSchema.properties, justification: { type: 'string', maxLength: 2000 } },
        },
      },
    },
    async (req, reply) => {
      if (!originAllowed(req, ctx.publicOrigin)) throw new HttpError(403, 'cross-origin request refused');
      const id = req.params.id;
      const { exp = '', sig = '', justification = '' } = req.body ?? {};
      if (!signer.verify(id, exp, sig)) throw new HttpError(403, 'this link is invalid or has expired');
      const rec = await store.get(id);
      const send = (status: number, html: string) => reply.code(status).type('text/html; charset=utf-8').send(html);
      if (rec.status !== 'held') return send(409, page(rec, exp, sig, 'closed'));
      if (!justification.trim()) return send(400, page(rec, exp, sig, 'form', 'Please give a justification.'));
      const actor = rec.envelope.mailFrom ? `sender:${maskAddress(rec.envelope.mailFrom)}` : 'sender';
      const updated = await requestRelease(store, id, { justification, actor }, audit);
      logger?.info({ id }, 'release requested by the sender');
      return send(200, page(updated, exp, sig, 'done'));
    },
  );
}
