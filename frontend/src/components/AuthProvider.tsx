import type { ReactNode } from 'react';
import { AuthContext, useAuthLoader } from '../hooks/useAuth';

/** Tells every component below how this shop identifies shoppers, and who is signed in. */
export function AuthProvider({ children }: { children: ReactNode }) {
  return <AuthContext value={useAuthLoader()}>{children}</AuthContext>;
}
