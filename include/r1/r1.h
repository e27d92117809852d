// Umbrella header for research code that uses r1 as a library (find_package(r1), r1::r1).
// Never included inside r1 itself: r1's files include exactly what they use.
#pragma once

#include "r1/config/dump.h"
#include "r1/config/load.h"
#include "r1/config/node.h"
#include "r1/config/schema.h"
#include "r1/config/visitor.h"
#include "r1/io/run_dir.h"
#include "r1/train/grpo/options.h"
#include "r1/train/stage.h"
#include "r1/util/error.h"
#include "r1/util/fs.h"
#include "r1/util/interrupt.h"
#include "r1/util/log.h"
#include "r1/util/progress.h"
#include "r1/util/rng.h"
#include "r1/util/str.h"
#include "r1/version.h"
