/* placeholder: replaced by its module's implementation */
typedef int cs_placeholder_t;
