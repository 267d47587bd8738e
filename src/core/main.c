/* main.c — placeholder; the daemon core is being written. */
int main(void)
{
	return 1;
}
