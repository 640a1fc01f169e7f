import { Link } from './components/Link';
import { SaleList } from './components/SaleList';
import { SalePage } from './components/SalePage';
import { matchRoute, usePathname } from './router';

export function App() {
  const route = matchRoute(usePathname());
  return (
    <>
      <header className="site-header">
        <div className="site-header-inner">
          <Link href="/" className="brand">
            Flashsale
          </Link>
        </div>
      </header>
      <main id="main" className="site-main">
        {route.name === 'list' && <SaleList />}
        {/* keyed: a different sale gets a fresh stream, clock and purchase state */}
        {route.name === 'sale' && <SalePage key={route.saleId} saleId={route.saleId} />}
        {route.name === 'not-found' && (
          <div className="panel">
            <h1>Page not found</h1>
            <p>
              <Link href="/">See all sales</Link>
            </p>
          </div>
        )}
      </main>
    </>
  );
}
