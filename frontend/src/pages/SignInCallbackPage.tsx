import { useEffect, useState } from 'react';
import { AuthUnavailable } from '../components/AuthUnavailable';
import { Link } from '../components/Link';
import { useAuth, type SignInResult } from '../hooks/useAuth';
import { navigate } from '../router';

/** `/auth/callback`: where the identity provider sends the shopper back; on to the page they came from. */
export function SignInCallbackPage() {
  const auth = useAuth();
  const session = auth.status === 'ready' ? auth.session : null;
  const completeSignIn = session?.mode === 'oidc' ? session.completeSignIn : null;
  const [failure, setFailure] = useState<Extract<SignInResult, { ok: false }> | null>(null);

  useEffect(() => {
    document.title = 'Signing in · Flashsale';
  }, []);

  useEffect(() => {
    if (completeSignIn === null) return;
    let current = true;
    void completeSignIn().then((result) => {
      if (!current) return;
      // replace: Back must not land on a used code. The place rides along for the quantity.
      if (result.ok) navigate(result.place.path, { replace: true, state: result.place });
      else setFailure(result);
    });
    return () => {
      current = false;
    };
  }, [completeSignIn]);

  if (auth.status === 'unavailable') {
    return (
      <div className="panel">
        <h1>Signing in</h1>
        <AuthUnavailable auth={auth} blocked="Signing in goes on" />
      </div>
    );
  }
  if (failure !== null || (session !== null && session.mode !== 'oidc')) {
    return (
      <div className="panel">
        <h1>Sign-in did not complete</h1>
        <p>{failure === null ? 'This shop does not sign shoppers in here.' : `You are not signed in (${failure.message}).`}</p>
        <p>
          <Link href={failure?.place.path ?? '/'}>Back to where you were</Link>
        </p>
      </div>
    );
  }
  return (
    <p className="loading" role="status">
      Signing you in…
    </p>
  );
}
