// Client-side limits and timings, each a named constant with its default documented here.
// The server enforces the real limits; these only let the UI refuse early with a clear message.

/**
 * Largest image (decoded bytes) the whiteboard syncs. Default 1 MiB: an image travels base64
 * (+33%) in one websocket frame, and the server closes frames over PAIRBOARD_MAX_FRAME_BYTES
 * (default 2 MiB). Larger images are refused here with a message instead.
 */
export const BOARD_IMAGE_MAX_BYTES = 1024 * 1024;

/** Cap of the websocket reconnect backoff, before jitter (ms). Default 4000. */
export const RECONNECT_MAX_BACKOFF_MS = 4000;

/** Consecutive failed handshakes after which the client asks the REST API whether its token is still valid. Default 3. */
export const REFUSAL_PROBE_AFTER = 3;

/** How many console runs are rendered (older ones are summarised). Default 200. */
export const CONSOLE_MAX_RENDERED_RUNS = 200;
