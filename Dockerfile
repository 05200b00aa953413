# One image for the whole deployment: the Pairboard server and the Kernel Gateway (which launches
# kernels through our pairboard-sandbox provisioner). docker-compose.yml runs it both ways.

# --- the browser client -------------------------------------------------------------------------
FROM node:20-bookworm-slim AS web
WORKDIR /src/web
COPY web/package.json web/package-lock.json ./
RUN npm ci --no-audit --no-fund --loglevel=error
COPY web/ ./
RUN npm run build

# --- server, gateway and the candidates' kernel environment ------------------------------------
FROM python:3.11-slim-bookworm
# bubblewrap: the kernel sandbox; Debian's python3 + venv: the kernel env is built from
# /usr/bin/python3 so unprivileged kernel uids can run it (kernels/build_env.py).
RUN apt-get update \
    && apt-get install -y --no-install-recommends bubblewrap python3 python3-venv curl \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY pyproject.toml README.md ./
COPY server/ server/
COPY kernels/ kernels/
COPY scenarios/ scenarios/
# Editable, so the defaults that point into the checkout (web/dist, scenarios/, .kernel-env)
# resolve to /app, exactly as in a development checkout.
RUN pip install --no-cache-dir -e . jupyter-kernel-gateway==3.0.*
RUN python -m kernels.build_env --requirements kernels/requirements.txt --target /app/.kernel-env
# Generated scenario data (`make scenario-data`): seeded scripts, the kernels' pinned NumPy.
RUN /app/.kernel-env/bin/python scenarios/generators/churn_customers.py
COPY --from=web /src/web/dist /app/web/dist
# The gateway's kernelspec: our sandbox provisioner running the kernel env.
ENV PAIRBOARD_KERNEL_ENV_DIR=/app/.kernel-env \
    PAIRBOARD_WEB_DIST=/app/web/dist \
    JUPYTER_PATH=/app/jupyter
RUN python -m kernels.sandbox.provisioner /app/jupyter/kernels
EXPOSE 8000 8888
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
    CMD curl -fsS http://127.0.0.1:8000/healthz || exit 1
CMD ["pairboard", "serve", "--host", "0.0.0.0", "--port", "8000", "--data-dir", "/data"]
