"""Scale-out: several server instances sharing one Redis (see docs/DEPLOY.md)."""
