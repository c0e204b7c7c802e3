package org.zerotir.sandbox;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * SandboxFusion's RunCodeResponse for one of our results: status Success (exit 0) | Failed | SandboxError,
 * run_result {status Finished | TimeLimitExceeded | Error, execution_time (seconds), return_code, stdout, stderr}.
 */
final class SandboxFusion {
    private SandboxFusion() {}

    static Map<String, Object> response(ExecutionResult result) {
        Map<String, Object> body = new LinkedHashMap<>();
        if (result.status() == ExecutionStatus.SANDBOX_ERROR) {
            body.put("status", "SandboxError");
            body.put("message", result.message() == null ? "" : result.message());
            body.put("compile_result", null);
            body.put("run_result", null);
            body.put("executor_pod_name", null);
            body.put("files", Map.of());
            return body;
        }
        String runStatus = switch (result.status()) {
            case TIME_LIMIT -> "TimeLimitExceeded";
            case OUTPUT_LIMIT -> "Error";
            default -> "Finished";
        };
        Map<String, Object> run = new LinkedHashMap<>();
        run.put("status", runStatus);
        run.put("execution_time", result.durationMillis() / 1000.0);
        run.put("return_code", result.exitCode());
        run.put("stdout", result.stdout());
        run.put("stderr", result.stderr());
        body.put("status", result.status() == ExecutionStatus.OK ? "Success" : "Failed");
        body.put("message", result.message() == null ? "" : result.message());
        body.put("compile_result", null);
        body.put("run_result", run);
        body.put("executor_pod_name", null);
        body.put("files", Map.of());
        return body;
    }
}
