// CTestProgram has no interface: linking it into the test runner prepares the process (program.c).
#ifndef POSLAB_TEST_PROGRAM_H
#define POSLAB_TEST_PROGRAM_H
#endif
