#include <stdio.h>
int main(void) { puts("clustersim: under construction"); return 0; }
