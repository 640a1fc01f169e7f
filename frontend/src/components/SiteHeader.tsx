import { Link } from './Link';

export function SiteHeader() {
  return (
    <header className="site-header">
      <div className="site-header-inner">
        <Link href="/" className="brand">
          Flashsale
        </Link>
      </div>
    </header>
  );
}
