import { useState } from 'react';
import { useAuth, type OidcSession } from '../hooks/useAuth';
import { usePathname } from '../router';
import { Link } from './Link';

export function SiteHeader() {
  const auth = useAuth();
  return (
    <header className="site-header">
      <div className="site-header-inner">
        <Link href="/" className="brand">
          Flashsale
        </Link>
        {/* Only oidc mode signs in here: a gateway in front does it itself, none mode never. */}
        {auth.status === 'ready' && auth.session.mode === 'oidc' && <Account session={auth.session} />}
      </div>
    </header>
  );
}

/** "Sign in", or who is signed in and "Sign out". */
function Account({ session }: { session: OidcSession }) {
  const pathname = usePathname();
  const [signInFailed, setSignInFailed] = useState(false);

  if (session.user === null) {
    const signIn = () => {
      setSignInFailed(false);
      session.signIn({ path: pathname + window.location.search }).catch(() => setSignInFailed(true));
    };
    return (
      <div className="account">
        {signInFailed && (
          <p className="account-error" role="alert">
            Sign-in is unavailable right now. Try again in a moment.
          </p>
        )}
        <button type="button" className="header-button" onClick={signIn}>
          Sign in
        </button>
      </div>
    );
  }
  return (
    <div className="account">
      <p className="shopper">{session.user.name === null ? 'Signed in' : <>Signed in as <strong>{session.user.name}</strong></>}</p>
      <button type="button" className="header-button" onClick={() => void session.signOut()}>
        Sign out
      </button>
    </div>
  );
}
