/**
 * `apiaccess_silobreaker_password`: changes the provider user's password. The provider's session
 * logs in with the current password (the provider setting), `changepassword` sets password_wo, and
 * a fresh login with the new password proves it took. Login `Delay` answers are waited out by the
 * session within its bound (never retried early); past it, the error gives the remaining delay.
 * Nothing is stored but the version and the time: password_wo is write-only.
 */
import { APIACCESS_LOGIN_DELAYED, APIACCESS_UNAUTHORIZED, APIACCESS_VENDOR_REJECTED, ApiAccessError } from '../../../core/errors';
import { resourceFromSpec } from '../../../provider/framework/spec-resource';
import type { ResourceContext } from '../../../provider/framework/resource';
import type { SilobreakerClient } from '../client';
import { passwordSpec } from '../spec/password';

/** Vendor errors as the attribute or provider setting they are about. */
function named(err: unknown, phase: 'change' | 'check'): unknown {
  if (!ApiAccessError.isApiAccessError(err)) return err;
  if (err.code === APIACCESS_LOGIN_DELAYED) {
    const message =
      phase === 'check'
        ? `the password was changed, but logging in with the new one was refused: ${err.message}`
        : `logging in with the current password (silobreaker_password) was refused: ${err.message}`;
    return phase === 'check'
      ? new ApiAccessError(APIACCESS_VENDOR_REJECTED, message, { field: 'password_wo', retryAfterSeconds: err.retryAfterSeconds, cause: err })
      : new ApiAccessError(APIACCESS_UNAUTHORIZED, message, { field: 'password', retryAfterSeconds: err.retryAfterSeconds, cause: err });
  }
  if (err.code === APIACCESS_VENDOR_REJECTED && err.field === 'password') {
    return new ApiAccessError(APIACCESS_UNAUTHORIZED, `${err.message} Check silobreaker_password: it must be the password Silobreaker holds now.`, {
      field: 'password',
      cause: err,
    });
  }
  if (err.status === 400) {
    return new ApiAccessError(APIACCESS_VENDOR_REJECTED, `Silobreaker refused the new password: ${err.message}`, { field: 'password_wo', cause: err });
  }
  return err;
}

async function change(ctx: ResourceContext<SilobreakerClient>, newPassword: string): Promise<string> {
  await ctx.client.changePassword({ newPassword }, ctx.signal).catch((err: unknown) => {
    throw named(err, 'change');
  });
  // The session now holds the new password: a fresh login with it proves the change.
  await ctx.client.logout(ctx.signal);
  await ctx.client.login(ctx.signal).catch((err: unknown) => {
    throw named(err, 'check');
  });
  return new Date().toISOString();
}

function username(ctx: ResourceContext<SilobreakerClient>): string {
  return ctx.client.username ?? '';
}

/** Handler of apiaccess_silobreaker_password. */
export const passwordHandler = resourceFromSpec<SilobreakerClient, typeof passwordSpec.attributes>(passwordSpec, {
  async create(config, ctx) {
    // No object is created at Silobreaker, and a change whose answer was lost must not be sent again
    // (the current password would then be wrong): keyed false makes a lost answer fail loudly.
    const changedAt = await ctx.createOnce(
      `password of "${username(ctx)}"`,
      () => change(ctx, config.password_wo),
      () => username(ctx),
      { keyed: false },
    );
    return { id: username(ctx), password_wo_version: config.password_wo_version, changed_at: changedAt };
  },

  // There is nothing to read back: Silobreaker never shows a password. The state is what was set.
  async read(state) {
    return { id: state.id, password_wo_version: state.password_wo_version, changed_at: state.changed_at };
  },

  async update(state, patch, ctx) {
    const next = patch.password_wo;
    if (typeof next !== 'string') {
      throw new ApiAccessError(APIACCESS_VENDOR_REJECTED, 'password_wo must be set when password_wo_version changes.', { field: 'password_wo' });
    }
    const changedAt = await change(ctx, next);
    return { id: state.id, password_wo_version: patch.password_wo_version ?? state.password_wo_version, changed_at: changedAt };
  },

  // Removing the resource leaves the password as it is.
  async delete() {},
});
