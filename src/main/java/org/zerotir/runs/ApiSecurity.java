package org.zerotir.runs;

import java.util.Set;

import org.jboss.resteasy.reactive.server.ServerRequestFilter;

import jakarta.inject.Inject;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/**
 * Request bodies under /api are size-limited. Every request under /api that changes something needs {@code Authorization: Bearer <key>}; reading needs it
 * too when {@code zerotir.api.read-requires-key} is true.
 */
public class ApiSecurity {

    private static final Set<String> READ_METHODS = Set.of("GET", "HEAD", "OPTIONS");

    @Inject
    ApiKeys keys;

    @Inject
    ApiConfig config;

    private Response checkSize(ContainerRequestContext request) {
        String length = request.getHeaderString(HttpHeaders.CONTENT_LENGTH);
        if (length == null) return null;
        try {
            if (Long.parseLong(length.strip()) <= config.maxBodyBytes()) return null;
        } catch (NumberFormatException e) {
            return null;
        }
        return Response.status(Response.Status.REQUEST_ENTITY_TOO_LARGE).type(MediaType.APPLICATION_JSON_TYPE)
                .entity(ErrorMappers.body("the request body is larger than " + config.maxBodyBytes()
                        + " bytes (zerotir.api.max-body-bytes)", null, "too_large"))
                .build();
    }

    @ServerRequestFilter
    public Response requireKey(ContainerRequestContext request) {
        String path = request.getUriInfo().getPath();
        if (!path.startsWith("/api/") && !path.equals("/api")) return null;
        Response tooLarge = checkSize(request);
        if (READ_METHODS.contains(request.getMethod()) && !config.readRequiresKey()) return tooLarge;
        String authorization = request.getHeaderString(HttpHeaders.AUTHORIZATION);
        String key = authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7)
                ? authorization.substring(7).strip() : null;
        if (keys.accepts(key)) return tooLarge;
        String message = key == null
                ? "this endpoint needs an API key: send 'Authorization: Bearer <key>'"
                : "the API key is not valid";
        return Response.status(Response.Status.UNAUTHORIZED)
                .header(HttpHeaders.WWW_AUTHENTICATE, "Bearer realm=\"zerotir\"")
                .type(MediaType.APPLICATION_JSON_TYPE)
                .entity(ErrorMappers.body(message, null, "unauthorized"))
                .build();
    }
}
