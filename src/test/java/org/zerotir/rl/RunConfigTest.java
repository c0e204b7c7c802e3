package org.zerotir.rl;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

class RunConfigTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static RunConfig parse(String json) throws Exception {
        return JSON.readValue(json, RunConfig.class);
    }

    private static String invalidField(String json) throws Exception {
        RunConfig config = parse(json);
        return assertThrows(RunConfig.InvalidField.class, config::validate).field();
    }

    @Test
    void absentFieldsTakeThePapersDefaults() throws Exception {
        RunConfig config = parse("{\"model\": {\"path\": \"/models/base\"}}").validate();
        assertEquals("reinforce_pp_baseline", config.algorithm().name());
        assertEquals(0.2, config.algorithm().clipLow());
        assertEquals(0.28, config.algorithm().clipHigh());
        assertEquals(0.0, config.algorithm().klCoefficient());
        assertEquals(2, config.tool().callBudget());
        assertEquals(256, config.tool().maxOutputTokens());
        TrainerSettings settings = config.trainerSettings();
        assertEquals(new AdvantageEstimator.ReinforcePlusPlus(true), settings.estimator());
        assertEquals(PolicyLoss.Aggregation.TOKEN_MEAN, settings.loss().aggregation());
    }

    @Test
    void eachAlgorithmNameMapsToItsEstimator() throws Exception {
        for (String name : RunConfig.Algorithm.NAMES) {
            RunConfig config = parse("{\"model\": {\"path\": \"m\"}, \"algorithm\": {\"name\": \"" + name + "\"}}").validate();
            AdvantageEstimator estimator = config.trainerSettings().estimator();
            switch (name) {
                case "grpo" -> assertEquals(new AdvantageEstimator.Grpo(true), estimator);
                case "dr_grpo" -> assertEquals(new AdvantageEstimator.Grpo(false), estimator);
                case "rloo" -> assertInstanceOf(AdvantageEstimator.Rloo.class, estimator);
                case "reinforce_pp" -> assertEquals(new AdvantageEstimator.ReinforcePlusPlus(false), estimator);
                case "reinforce_pp_baseline" -> assertEquals(new AdvantageEstimator.ReinforcePlusPlus(true), estimator);
                case "ppo" -> assertEquals(new AdvantageEstimator.Ppo(1, 1), estimator);
                default -> throw new AssertionError(name);
            }
        }
    }

    @Test
    void klGoesIntoTheRewardOrTheLossNeverBoth() throws Exception {
        TrainerSettings inReward = parse("{\"model\": {\"path\": \"m\"}, \"algorithm\": {\"klCoefficient\": 0.05, \"klInReward\": true}}")
                .validate().trainerSettings();
        assertEquals(0.0, inReward.loss().klCoefficient());
        assertEquals(0.05, inReward.klCoefficient());
        TrainerSettings inLoss = parse("{\"model\": {\"path\": \"m\"}, \"algorithm\": {\"klCoefficient\": 0.05}}").validate().trainerSettings();
        assertEquals(0.05, inLoss.loss().klCoefficient());
        assertEquals(0.0, inLoss.klCoefficient());
    }

    @Test
    void theFirstUnworkableFieldIsNamed() throws Exception {
        assertEquals("model.path", invalidField("{}"));
        assertEquals("algorithm.name", invalidField("{\"model\": {\"path\": \"m\"}, \"algorithm\": {\"name\": \"sgd\"}}"));
        assertEquals("algorithm.clipLow", invalidField("{\"model\": {\"path\": \"m\"}, \"algorithm\": {\"clipLow\": 1.5}}"));
        assertEquals("algorithm.learningRate", invalidField("{\"model\": {\"path\": \"m\"}, \"algorithm\": {\"learningRate\": -1}}"));
        assertEquals("tool.callBudget", invalidField("{\"model\": {\"path\": \"m\"}, \"tool\": {\"callBudget\": -1}}"));
        assertEquals("rollout.samplesPerPrompt",
                invalidField("{\"model\": {\"path\": \"m\"}, \"algorithm\": {\"name\": \"grpo\"}, \"rollout\": {\"samplesPerPrompt\": 1}}"));
        assertEquals("rollout.topP", invalidField("{\"model\": {\"path\": \"m\"}, \"rollout\": {\"topP\": 0}}"));
        assertEquals("template", invalidField("{\"model\": {\"path\": \"m\"}, \"template\": \"alpaca\"}"));
        assertEquals("data.arithmeticOperators", invalidField("{\"model\": {\"path\": \"m\"}, \"data\": {\"arithmeticOperators\": \"/\"}}"));
        assertEquals("steps", invalidField("{\"model\": {\"path\": \"m\"}, \"steps\": 0}"));
    }

    @Test
    void aScratchModelTakesTheMiniModelsShapeAndRefusesAShapeThatCannotBeBuilt() throws Exception {
        RunConfig config = parse("{\"model\": {\"scratch\": {\"layers\": 2}}, \"rollout\": {\"maxResponseTokens\": 96}}").validate();
        RunConfig.Scratch shape = config.model().scratch();
        assertEquals(List.of(2, 128, 4, 2, 384, 512, 384),
                List.of(shape.layers(), shape.hidden(), shape.heads(), shape.kvHeads(), shape.intermediate(), shape.context(), shape.vocab()));
        assertEquals("model", invalidField("{\"model\": {\"path\": \"m\", \"scratch\": {}}}"));
        assertEquals("model.path", invalidField("{\"model\": {}}"));
        assertEquals("model.scratch.heads", invalidField("{\"model\": {\"scratch\": {\"hidden\": 100, \"heads\": 8}}}"));
        assertEquals("model.scratch.heads", invalidField("{\"model\": {\"scratch\": {\"hidden\": 96, \"heads\": 32}}}"), "odd head size");
        assertEquals("model.scratch.kvHeads", invalidField("{\"model\": {\"scratch\": {\"heads\": 4, \"kvHeads\": 3}}}"));
        assertEquals("model.scratch.layers", invalidField("{\"model\": {\"scratch\": {\"layers\": 0}}}"));
        assertEquals("model.scratch.vocab", invalidField("{\"model\": {\"scratch\": {\"vocab\": 257}}}"));
        assertEquals("model.scratch.hidden", invalidField("{\"model\": {\"scratch\": {\"hidden\": 1000000}}}"));
        assertEquals("model.scratch.context", invalidField("{\"model\": {\"scratch\": {\"context\": 1024}}}"), "the default response is 1024 tokens");
        RunConfig resolved = config.withModelDirectory(java.nio.file.Path.of("/runs/r/scratch-model"));
        assertEquals("/runs/r/scratch-model", resolved.model().path());
        assertEquals(null, resolved.model().scratch());
        assertEquals(config.steps(), resolved.validate().steps());
    }

    @Test
    void miniBatchesMustDivideTheStepsResponses() throws Exception {
        assertEquals("algorithm.miniBatches", invalidField(
                "{\"model\": {\"path\": \"m\"}, \"rollout\": {\"promptsPerStep\": 3, \"samplesPerPrompt\": 5}, \"algorithm\": {\"miniBatches\": 2}}"));
        parse("{\"model\": {\"path\": \"m\"}, \"rollout\": {\"promptsPerStep\": 3, \"samplesPerPrompt\": 4}, \"algorithm\": {\"miniBatches\": 6}}")
                .validate();
    }

    @Test
    void unknownFieldsAreRefusedNotIgnored() {
        assertThrows(com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException.class,
                () -> parse("{\"model\": {\"path\": \"m\"}, \"algorithm\": {\"clip_high\": 0.3}}"));
    }
}
