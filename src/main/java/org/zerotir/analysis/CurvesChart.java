package org.zerotir.analysis;

import javax.imageio.ImageIO;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * The paper's central figure as a PNG: one panel per metric against training step, one line per run, each
 * with its best scaling-law fit dashed over it. Plain Java2D (headless), so a CI machine can draw it.
 */
public final class CurvesChart {

    /** One run's values of one metric: steps and values in step order. */
    public record Series(String run, double[] steps, double[] values) {}

    /** One panel: a metric and its series. */
    public record Panel(String metric, List<Series> series) {}

    private static final Color[] COLORS = {new Color(0x1f77b4), new Color(0xd62728), new Color(0x2ca02c), new Color(0x9467bd)};
    private static final int PANEL_WIDTH = 420, PANEL_HEIGHT = 300, MARGIN = 50;

    private CurvesChart() {}

    public static void write(List<Panel> panels, String title, Path file) throws IOException {
        int width = PANEL_WIDTH * panels.size(), height = PANEL_HEIGHT + 40;
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, width, height);
        g.setColor(Color.BLACK);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 14));
        g.drawString(title, 10, 20);
        for (int p = 0; p < panels.size(); p++) drawPanel(g, panels.get(p), p * PANEL_WIDTH, 40);
        g.dispose();
        if (!ImageIO.write(image, "png", file.toFile())) throw new IOException("no PNG writer");
    }

    private static void drawPanel(Graphics2D g, Panel panel, int left, int top) {
        double maxStep = 1, minValue = Double.MAX_VALUE, maxValue = -Double.MAX_VALUE;
        for (Series s : panel.series()) {
            for (double step : s.steps()) maxStep = Math.max(maxStep, step);
            for (double v : s.values()) {
                minValue = Math.min(minValue, v);
                maxValue = Math.max(maxValue, v);
            }
        }
        if (minValue == Double.MAX_VALUE) minValue = maxValue = 0;
        minValue = Math.min(0, minValue);
        if (maxValue <= minValue) maxValue = minValue + 1;
        int x0 = left + MARGIN, y0 = top + PANEL_HEIGHT - MARGIN, plotWidth = PANEL_WIDTH - MARGIN - 15, plotHeight = PANEL_HEIGHT - MARGIN - 25;
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
        g.setColor(Color.BLACK);
        g.drawString(panel.metric(), x0, top + 12);
        g.setColor(Color.GRAY);
        g.drawLine(x0, y0, x0 + plotWidth, y0);
        g.drawLine(x0, y0, x0, y0 - plotHeight);
        g.drawString("0", x0 - 4, y0 + 14);
        g.drawString(String.format("%.0f", maxStep), x0 + plotWidth - 20, y0 + 14);
        g.drawString("step", x0 + plotWidth / 2 - 10, y0 + 28);
        g.drawString(format(minValue), left + 4, y0);
        g.drawString(format(maxValue), left + 4, y0 - plotHeight + 10);
        int legend = 0;
        for (int i = 0; i < panel.series().size(); i++) {
            Series s = panel.series().get(i);
            Color color = COLORS[i % COLORS.length];
            g.setColor(color);
            g.setStroke(new BasicStroke(1.6f));
            for (int j = 1; j < s.steps().length; j++) {
                g.drawLine(x(s.steps()[j - 1], maxStep, x0, plotWidth), y(s.values()[j - 1], minValue, maxValue, y0, plotHeight),
                        x(s.steps()[j], maxStep, x0, plotWidth), y(s.values()[j], minValue, maxValue, y0, plotHeight));
            }
            String label = s.run();
            ScalingAnalysis.FormFit fit = fit(s);
            if (fit != null) {
                g.setStroke(new BasicStroke(1.2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10, new float[] {5, 4}, 0));
                double first = Math.max(1, s.steps()[0]);
                double previous = fit.predict(first);
                for (int k = 1; k <= 60; k++) {
                    double step = first + (maxStep - first) * k / 60, value = fit.predict(step);
                    double from = first + (maxStep - first) * (k - 1) / 60;
                    g.drawLine(x(from, maxStep, x0, plotWidth), y(clamp(previous, minValue, maxValue), minValue, maxValue, y0, plotHeight),
                            x(step, maxStep, x0, plotWidth), y(clamp(value, minValue, maxValue), minValue, maxValue, y0, plotHeight));
                    previous = value;
                }
                label += String.format(java.util.Locale.ROOT, "  fit %s, R²=%.2f", fit.formula(), fit.rSquared());
            }
            g.drawString(label, x0 + 6, top + 28 + 13 * legend++);
        }
        g.setStroke(new BasicStroke(1f));
    }

    /** The form chosen by held-out error over steps >= 1; null when too few points or no variation. */
    static ScalingAnalysis.FormFit fit(Series s) {
        ScalingAnalysis.FormFit best = ScalingAnalysis.analyse(s.steps(), s.values(), ScalingAnalysis.DEFAULT_HELD_OUT).best();
        return best != null && Double.isFinite(best.rSquared()) ? best : null;
    }

    private static double clamp(double v, double lo, double hi) {
        return Math.max(lo, Math.min(hi, v));
    }

    private static int x(double step, double maxStep, int x0, int width) {
        return x0 + (int) Math.round(step / maxStep * width);
    }

    private static int y(double value, double min, double max, int y0, int height) {
        return y0 - (int) Math.round((value - min) / (max - min) * height);
    }

    private static String format(double v) {
        return Math.abs(v) >= 100 ? String.format("%.0f", v) : String.format("%.2f", v);
    }
}
