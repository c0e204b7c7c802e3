package org.zerotir.runs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.lang.reflect.Proxy;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;

/**
 * The key filter on its own, for the setting the shared test profile does not use:
 * {@code zerotir.api.read-requires-key=true}. (The default, open reads, is covered over HTTP by RunResourceTest.)
 */
class ApiSecurityTest {

    private static ApiSecurity filter(boolean readRequiresKey) {
        ApiSecurity security = new ApiSecurity();
        security.keys = new ApiKeys() {
            @Override
            public boolean accepts(String key) {
                return "good".equals(key);
            }
        };
        security.config = new ApiConfig() {
            @Override
            public Optional<List<String>> keys() {
                return Optional.empty();
            }

            @Override
            public boolean readRequiresKey() {
                return readRequiresKey;
            }

            @Override
            public long maxBodyBytes() {
                return 1024;
            }
        };
        return security;
    }

    private static ContainerRequestContext request(String method, String path, String authorization) {
        UriInfo uri = (UriInfo) Proxy.newProxyInstance(UriInfo.class.getClassLoader(), new Class<?>[] {UriInfo.class},
                (proxy, m, args) -> m.getName().equals("getPath") ? path : null);
        Map<String, Object> answers = new java.util.HashMap<>();
        answers.put("getMethod", method);
        answers.put("getUriInfo", uri);
        return (ContainerRequestContext) Proxy.newProxyInstance(ContainerRequestContext.class.getClassLoader(),
                new Class<?>[] {ContainerRequestContext.class},
                (proxy, m, args) -> m.getName().equals("getHeaderString") ? authorization : answers.get(m.getName()));
    }

    @Test
    void readsCanBeClosedByConfiguration() {
        ApiSecurity closed = filter(true);
        assertEquals(401, closed.requireKey(request("GET", "/api/runs", null)).getStatus());
        assertEquals(401, closed.requireKey(request("GET", "/api/runs/x/metrics", "Bearer bad")).getStatus());
        assertNull(closed.requireKey(request("GET", "/api/runs", "Bearer good")));
        assertNull(closed.requireKey(request("GET", "/q/health", null)), "operations endpoints stay open");

        ApiSecurity open = filter(false);
        assertNull(open.requireKey(request("GET", "/api/runs", null)));
        Response refused = open.requireKey(request("DELETE", "/api/runs/x", null));
        assertEquals(401, refused.getStatus());
        assertEquals("Bearer realm=\"zerotir\"", refused.getHeaderString("WWW-Authenticate"));
        assertNull(open.requireKey(request("POST", "/api/runs", "bearer good")), "the scheme name is case-insensitive");
    }
}
