import { AuthProvider } from './components/AuthProvider';
import { SiteHeader } from './components/SiteHeader';
import { NotFoundPage } from './pages/NotFoundPage';
import { SaleListPage } from './pages/SaleListPage';
import { SalePage } from './pages/SalePage';
import { SignInCallbackPage } from './pages/SignInCallbackPage';
import { matchRoute, usePathname, type Route } from './router';

/** The site frame around the page of the current route. */
export function App() {
  const route = matchRoute(usePathname());
  return (
    <AuthProvider>
      <SiteHeader />
      <main id="main" className="site-main">
        <RoutePage route={route} />
      </main>
    </AuthProvider>
  );
}

/** Each route to its page, and nothing else. */
function RoutePage({ route }: { route: Route }) {
  switch (route.name) {
    case 'list':
      return <SaleListPage />;
    case 'sale':
      // keyed: a different sale gets a fresh stream, clock and purchase state
      return <SalePage key={route.saleId} saleId={route.saleId} />;
    case 'sign-in-callback':
      return <SignInCallbackPage />;
    case 'not-found':
      return <NotFoundPage />;
  }
}
