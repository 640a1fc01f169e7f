import type { Auth } from '../hooks/useAuth';

interface Props {
  auth: Extract<Auth, { status: 'unavailable' }>;
  /** What cannot happen until the settings load, e.g. "You can buy". */
  blocked: string;
}

/** GET /config failed: says so, and offers to try at once (it is tried again by itself anyway). */
export function AuthUnavailable({ auth, blocked }: Props) {
  return (
    <div className="auth-unavailable">
      <p role="alert">
        The shop&apos;s sign-in settings could not be loaded. {blocked} as soon as they are: we keep trying.
      </p>
      {/* aria-disabled, not disabled: the button keeps the focus while a try runs. */}
      <button type="button" className="secondary" onClick={auth.trying ? undefined : auth.retry} aria-disabled={auth.trying} aria-busy={auth.trying}>
        {auth.trying ? 'Trying…' : 'Try again now'}
      </button>
    </div>
  );
}
