// `cspctl images`: flags and wiring; the listing is csp::scan::ListImages, the verdicts
// csp::imageverify::Verifier, the output csp::imageverify::image_report.
#pragma once

namespace cspctl {

int Images(int argc, char** argv);

}  // namespace cspctl
