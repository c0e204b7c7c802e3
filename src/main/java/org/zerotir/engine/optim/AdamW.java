package org.zerotir.engine.optim;

import org.zerotir.engine.Backend;
import org.zerotir.engine.ModelConfigException;
import org.zerotir.engine.ParameterLayout;
import org.zerotir.engine.Tensor;
import org.zerotir.engine.Transformer;
import org.zerotir.engine.checkpoint.SafeTensors;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * AdamW with decoupled weight decay over a model's flat gradient buffer, with global gradient-norm clipping.
 * Weight decay applies to matrices only: norms and biases are left alone, as in GPT-2 and most RL recipes.
 * Gradient accumulation is the caller's sum: run forward/backward per micro-batch (scaling each loss by its
 * share of the whole batch), then one {@link #step}, then {@link Transformer#zeroGradients()}.
 */
public final class AdamW {

    public record Settings(double beta1, double beta2, double eps, double weightDecay, double maxGradNorm) {
        public Settings {
            if (!(beta1 >= 0 && beta1 < 1)) throw new IllegalArgumentException("beta1 must be in [0, 1), got " + beta1);
            if (!(beta2 >= 0 && beta2 < 1)) throw new IllegalArgumentException("beta2 must be in [0, 1), got " + beta2);
            if (!(eps > 0)) throw new IllegalArgumentException("eps must be positive, got " + eps);
            if (!(weightDecay >= 0)) throw new IllegalArgumentException("weightDecay must be >= 0, got " + weightDecay);
            if (!(maxGradNorm > 0)) throw new IllegalArgumentException("maxGradNorm must be positive (use infinity to disable), got " + maxGradNorm);
        }

        public static Settings defaults() {
            return new Settings(0.9, 0.999, 1e-8, 0.01, 1.0);
        }
    }

    /** What one step did: the gradient norm before clipping and the learning rate used. */
    public record StepReport(int step, double gradNorm, double learningRate, boolean clipped) {}

    private final Transformer model;
    private final Backend backend;
    private final Settings settings;
    private final Tensor firstMoment, secondMoment;
    private int step;

    public AdamW(Transformer model, Settings settings) {
        this.model = model;
        this.backend = model.backend();
        this.settings = settings;
        this.firstMoment = backend.allocate(model.layout().totalSize());
        this.secondMoment = backend.allocate(model.layout().totalSize());
    }

    public int step() {
        return step;
    }

    public Settings settings() {
        return settings;
    }

    /** Clips the accumulated gradients to maxGradNorm and takes one step at learningRate. */
    public StepReport step(double learningRate) {
        Tensor gradients = model.gradients();
        double norm = Math.sqrt(backend.sumOfSquares(gradients));
        if (!Double.isFinite(norm)) {
            throw new ArithmeticException("gradient norm is " + norm + " at step " + (step + 1) + "; refusing to update");
        }
        boolean clipped = norm > settings.maxGradNorm();
        if (clipped) backend.scale(gradients, (float) (settings.maxGradNorm() / norm));
        step++;
        ParameterLayout layout = model.layout();
        for (ParameterLayout.Entry entry : layout.entries()) {
            double decay = entry.shape().length >= 2 ? settings.weightDecay() : 0.0;
            backend.adamwUpdate(layout.view(model.parameters(), entry.name()), layout.view(gradients, entry.name()),
                    layout.view(firstMoment, entry.name()), layout.view(secondMoment, entry.name()),
                    (float) learningRate, (float) settings.beta1(), (float) settings.beta2(), (float) settings.eps(),
                    (float) decay, step);
        }
        return new StepReport(step, norm, learningRate, clipped);
    }

    /** Writes both moments (PyTorch's names exp_avg / exp_avg_sq per parameter) and the step count. */
    public void save(Path file) throws IOException {
        ParameterLayout layout = model.layout();
        Map<String, SafeTensors.Source> tensors = new LinkedHashMap<>();
        for (ParameterLayout.Entry entry : layout.entries()) {
            long[] shape = Arrays.stream(entry.shape()).asLongStream().toArray();
            tensors.put("exp_avg." + entry.name(), new SafeTensors.Source(backend.toHost(layout.view(firstMoment, entry.name())), shape));
            tensors.put("exp_avg_sq." + entry.name(), new SafeTensors.Source(backend.toHost(layout.view(secondMoment, entry.name())), shape));
        }
        SafeTensors.write(file, tensors, Map.of("step", Integer.toString(step), "format", "zerotir-adamw"));
    }

    /** Restores what {@link #save} wrote; the model's layout must match exactly. */
    public void load(Path file) throws IOException {
        ParameterLayout layout = model.layout();
        try (SafeTensors.Reader reader = SafeTensors.open(file)) {
            String savedStep = reader.metadata().get("step");
            if (savedStep == null || !savedStep.matches("\\d+")) {
                throw new ModelConfigException("step", file.getFileName() + " has no optimizer step in its metadata");
            }
            for (ParameterLayout.Entry entry : layout.entries()) {
                for (String prefix : new String[] {"exp_avg.", "exp_avg_sq."}) {
                    SafeTensors.Entry saved = reader.entry(prefix + entry.name());
                    if (saved.elements() != entry.size()) {
                        throw new ModelConfigException(saved.name(), "optimizer tensor " + saved.name() + " has " + saved.elements()
                                + " elements, the model has " + entry.size());
                    }
                }
            }
            for (ParameterLayout.Entry entry : layout.entries()) {
                backend.copyFromHost(reader.readFloats("exp_avg." + entry.name()), layout.view(firstMoment, entry.name()));
                backend.copyFromHost(reader.readFloats("exp_avg_sq." + entry.name()), layout.view(secondMoment, entry.name()));
            }
            step = Integer.parseInt(savedStep);
        }
    }
}
