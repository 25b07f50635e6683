// plot_widget.h: a Figure as an ImGui widget, shaped like ImGui's own (an id, a size, a style).
//
//   plot::PlotFigure("loss", figure, ImVec2(-1, 300), context.plotStyle);
//
//   plot::PlotFigureGrid("maps", grid, ImVec2(-1, 400), context.plotStyle);
//
// Right-click on the figure: "Export PNG / SVG / PDF / CSV" into ./exports/ (file name from the
// title, editable); the popup shows the path written or the error.
#pragma once

#include <imgui.h>

#include <string>

#include "plot/draw_figure.h"
#include "plot/figure.h"

namespace nnlab::plot {

// Draws `figure` at the cursor. size: ImGui's convention per axis, > 0 in pixels, 0 the available
// space, < 0 the available space minus that much. Heatmap textures stay on the GPU between frames
// (keyed by this widget's id and a hash of the heatmap) and are re-uploaded only when it changes.
// Returns true while the mouse is over the plot box; mouseX / mouseY (optional) then receive the
// data coordinates under it.
bool PlotFigure(const char* id, const Figure& figure, ImVec2 size,
                const PlotStyle& style = PlotStyle(), double* mouseX = nullptr,
                double* mouseY = nullptr);

// A FigureGrid (panels with their own axes, optional shared colorbar) as one widget, with the same
// right-click export (the whole grid; CSV has a panel column). Each panel's textures are keyed by
// this widget's id and the panel's index, so many heatmaps per widget each upload once per change.
// Returns true while the mouse is over a panel's plot box; hoveredPanel (optional) then receives
// its index and mouseX / mouseY the data coordinates in that panel.
bool PlotFigureGrid(const char* id, const FigureGrid& grid, ImVec2 size,
                    const PlotStyle& style = PlotStyle(), int* hoveredPanel = nullptr,
                    double* mouseX = nullptr, double* mouseY = nullptr);

// Frees the heatmap textures PlotFigure keeps. Call while the GL context is still current, before
// destroying it (ImGui_ImplOpenGL3_Shutdown time). Safe to call more than once.
void ShutdownPlotTextures();

// "Training loss (Adam)" -> "training_loss_adam": the file name the export popup suggests.
std::string exportFileStem(const std::string& title);

} // namespace nnlab::plot
