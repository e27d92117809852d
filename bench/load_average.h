// The machine's load average ("1 5 15" minutes, /proc/loadavg), printed beside every timing: on the
// shared 2-core machine a figure means little without it.
#pragma once

#include <fstream>
#include <string>

inline std::string load_average() {
    std::ifstream in("/proc/loadavg");
    std::string one, five, fifteen;
    in >> one >> five >> fifteen;
    return one + " " + five + " " + fifteen;
}
