/** Tenants the steady streams spread their events over (each has its own chain and tree). */
export const TENANTS = ['acme', 'globex', 'initech']
