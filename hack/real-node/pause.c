/* The sandbox ("pause") container of the opt-in real node (hack/cluster.sh up --real-node): it
 * holds the Pod's namespaces and waits until the runtime stops it. Static, in an image built
 * locally (no registry). */
#include <signal.h>
#include <unistd.h>

static void Stop(int signal_number) {
  (void)signal_number;
  _exit(0);
}

int main(void) {
  signal(SIGTERM, Stop);
  signal(SIGINT, Stop);
  for (;;) pause();
}
