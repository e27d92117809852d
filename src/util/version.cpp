#include "r1/version.h"

namespace r1 {

const char* version() {
    return R1_VERSION_STRING;
}

}  // namespace r1
