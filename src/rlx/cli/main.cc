#include <cstdio>

int main() {
  std::puts("rlx 0.1.0");
  return 0;
}
