import type { AnchorHTMLAttributes, MouseEvent } from 'react';
import { navigate } from '../router';

type Props = AnchorHTMLAttributes<HTMLAnchorElement> & { href: string };

/** A real anchor (works with middle-click, copy link, no JS) that navigates in-app on a plain click. */
export function Link({ href, onClick, ...rest }: Props) {
  const handleClick = (e: MouseEvent<HTMLAnchorElement>) => {
    onClick?.(e);
    if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    e.preventDefault();
    navigate(href);
  };
  return <a href={href} onClick={handleClick} {...rest} />;
}
