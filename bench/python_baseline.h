// Runs a Python baseline of bench/reference/ (with the Python CMake found) and parses the JSON
// object on its last output line; throws with the command when the script fails.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdio>
#include <stdexcept>
#include <string>
#include <vector>

inline nlohmann::json run_python_baseline(const std::string& script,
                                          const std::vector<std::string>& args) {
    std::string command = R1_PYTHON " " R1_SOURCE_DIR "/bench/reference/" + script;
    for (const auto& arg : args) {
        command += " '" + arg + "'";
    }
    command += " 2>/dev/null";
    FILE* pipe = popen(command.c_str(), "r");
    if (pipe == nullptr) {
        throw std::runtime_error("cannot run baseline: " + command);
    }
    std::string output;
    char buffer[4096];
    while (fgets(buffer, sizeof buffer, pipe) != nullptr) {
        output += buffer;
    }
    if (pclose(pipe) != 0) {
        throw std::runtime_error("baseline failed: " + command);
    }
    while (!output.empty() && output.back() == '\n') {
        output.pop_back();
    }
    return nlohmann::json::parse(output.substr(output.rfind('\n') + 1));
}
