import { useEffect } from 'react';
import { Link } from '../components/Link';

/** Any path that is not a route. */
export function NotFoundPage() {
  useEffect(() => {
    document.title = 'Page not found · Flashsale';
  }, []);

  return (
    <div className="panel">
      <h1>Page not found</h1>
      <p>
        <Link href="/">See all sales</Link>
      </p>
    </div>
  );
}
